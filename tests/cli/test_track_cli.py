"""``python -m interp track``: masks on every frame of a clip, corrections, and one-line errors with nothing written."""

from __future__ import annotations

import numpy as np
import pytest

from interp.cli import main
from interp.testing.masks import iou
from interp.testing.video import write_video
from sam_utils.masks import read_mask_png, write_mask_png
from tests.clip.conftest import make_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("track-cli"))


def masks_in(folder, count):
    return [read_mask_png(folder / f"mask_{k:04d}.png") for k in range(count)]


def test_a_video_and_a_mask_give_a_mask_per_frame(clip, tmp_path, capsys):
    video = write_video(tmp_path / "clip.mp4", clip.frames, fps=10.0)
    given = write_mask_png(tmp_path / "given.png", clip.masks[3])
    out = tmp_path / "masks"
    assert (
        main(["track", "--video", str(video), "--frame", "3", "--mask", str(given), "--out", str(out), "--quiet"]) == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [f"mask_{k:04d}.png" for k in range(len(clip.frames))]
    got = masks_in(out, len(clip.frames))
    assert np.array_equal(got[3], clip.masks[3])
    assert np.mean([iou(got[k], clip.masks[k]) for k in range(len(got)) if k != 3]) > 0.7  # H.264 costs a little
    assert "wrote 12 masks" in capsys.readouterr().out


def test_clicks_and_a_correction_on_a_folder(clip, tmp_path):
    fixed = write_mask_png(tmp_path / "fixed.png", clip.masks[9])
    out = tmp_path / "masks"
    args = [
        "track",
        "--video",
        str(clip.folder),
        "--backend",
        "fallback",
        "--out",
        str(out),
        "--quiet",
        "--frame",
        "1",
        "--point",
        "40",
        "42",
        "--box",
        "14",
        "18",
        "64",
        "68",
        "--frame",
        "9",
        "--mask",
        str(fixed),
    ]
    assert main(args) == 0
    got = masks_in(out, len(clip.frames))
    assert np.array_equal(got[9], clip.masks[9])
    assert iou(got[1], clip.masks[1]) > 0.5  # the fallback segmenter, from one click and a box


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--frame", "12", "--mask", "{mask}"], "frame 12 is outside the clip"),
        (["--frame", "0", "--mask", "{small}"], "is 20x10, but the clip's frames are 160x120"),
        (["--frame", "0", "--mask", "{empty}"], "mask for frame 0 is empty"),
        (["--frame", "0"], "frame 0 needs --mask"),
        (["--frame", "0", "--mask", "{mask}", "--frame", "0", "--mask", "{mask}"], "given more than once"),
        (["--frame", "0", "--mask", "{mask}", "--point", "3", "4"], "both --mask and clicks"),
        (["--frame", "0", "--point", "500", "4"], "outside"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(clip, tmp_path, capsys, extra, message):
    files = {
        "mask": write_mask_png(tmp_path / "m.png", clip.masks[0]),
        "small": write_mask_png(tmp_path / "s.png", np.ones((10, 20), bool)),
        "empty": write_mask_png(tmp_path / "e.png", np.zeros((120, 160), bool)),
    }
    extra = [item.format(**files) for item in extra]
    out = tmp_path / "out"
    assert (
        main(["track", "--video", str(clip.folder), *extra, "--out", str(out), "--quiet", "--backend", "fallback"]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert message in err, err
    assert len(err.splitlines()) == 1, err
    assert not out.exists()
    assert not list(tmp_path.glob(".out.partial-*"))


def test_unreadable_clip(tmp_path, capsys):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 1000)
    mask = write_mask_png(tmp_path / "m.png", np.ones((4, 4), bool))
    assert main(["track", "--video", str(junk), "--frame", "0", "--mask", str(mask), "--out", str(tmp_path / "o")]) == 2
    assert "junk.mp4" in capsys.readouterr().err


def test_refining_with_sam_without_its_weights_names_the_file(clip, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INTERP_CHECKPOINTS", str(tmp_path / "no-weights-here"))
    mask = write_mask_png(tmp_path / "m.png", clip.masks[0])
    args = ["track", "--video", str(clip.folder), "--frame", "0", "--mask", str(mask), "--refine", "sam"]
    assert main([*args, "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "sam_vit_b_01ec64.pth" in err
    assert not (tmp_path / "out").exists()
