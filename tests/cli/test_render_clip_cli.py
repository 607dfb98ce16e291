"""``python -m interp render`` on a clip project (version 2): each object retimed on its own curve over a clip, and
one-line errors with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from interp.cli import main
from interp.io.images import read_image, write_image
from interp.research import metrics
from interp.testing.synthetic import SyntheticClip, make_clip
from sam_utils.masks import write_mask_png

FRAMES = 10


@pytest.fixture(scope="module")
def clip() -> SyntheticClip:
    return make_clip(seed=5, num_frames=FRAMES, pan=(0.0, 0.0))


@pytest.fixture
def folder(clip: SyntheticClip, tmp_path: Path) -> Path:
    for k in range(FRAMES):
        write_image(tmp_path / "clip" / f"{k:04d}.png", clip.frame(k))
    write_mask_png(tmp_path / "first.png", clip.masks(2)[0])
    for k in range(FRAMES):
        write_mask_png(tmp_path / "second" / f"mask_{k:04d}.png", clip.masks(k)[1])
    return tmp_path


def project(folder: Path, **changes: object) -> Path:
    document = {
        "format": "interp-project",
        "version": 2,
        "video": "clip",
        "num_frames": FRAMES,
        "objects": [
            {"name": "held", "frame": 2, "mask": "first.png", "curve": [[0, 0.5], [1, 0.5]]},
            {"name": "reversed", "masks": "second", "curve": [[0, 1], [1, 0]]},
        ],
    }
    document.update(changes)
    path = folder / "clip.json"
    path.write_text(json.dumps(document))
    return path


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return metrics.psnr(a, b, peak=255.0)


def test_each_object_follows_its_own_curve(clip: SyntheticClip, folder: Path, capsys: pytest.CaptureFixture) -> None:
    out = folder / "out"
    assert main(["render", str(project(folder)), "--out", str(out), "--mp4"]) == 0
    assert "2 objects retimed over 10 clip frames" in capsys.readouterr().out
    assert (out / "interp.mp4").stat().st_size > 0
    scores = []
    for j in range(FRAMES):  # output time u = j / 9: background at clip frame j, the first held at 4.5, the second back
        truth = clip.render(j, (4.5, FRAMES - 1 - j))
        scores.append(psnr(read_image(out / f"frame_{j:04d}.png"), truth))
    assert min(scores) > 30, scores  # the held object is tracked from frame 2 and comes from the network at 4.5


def test_a_clip_project_with_identity_curves_gives_the_clip_back(clip: SyntheticClip, folder: Path) -> None:
    out = folder / "same"
    objects = [{"name": "still", "frame": 0, "mask": "first.png", "curve": [[0, 0], [1, 1]]}]
    write_mask_png(folder / "first.png", clip.masks(0)[0])
    assert main(["render", str(project(folder, objects=objects)), "--out", str(out)]) == 0
    for k in range(FRAMES):
        assert np.array_equal(read_image(out / f"frame_{k:04d}.png"), clip.frame(k))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"video": "missing"}, "no such clip"),
        ({"objects": [{"frame": 12, "mask": "first.png", "curve": [[0, 0], [1, 1]]}]}, "frame 12 is outside the clip"),
        (
            {
                "objects": [
                    {"masks": "clip", "curve": [[0, 0], [1, 1]]},
                    {"masks": "nothing", "curve": [[0, 0], [1, 1]]},
                ]
            },
            "objects[1].masks: no such folder",
        ),
        ({"objects": [{"frame": "two", "mask": "first.png", "curve": [[0, 0], [1, 1]]}]}, "objects[0].frame"),
        ({"version": 3}, "version"),
    ],
)
def test_bad_clip_projects_are_one_line_and_write_nothing(
    folder: Path, change: dict, message: str, capsys: pytest.CaptureFixture
) -> None:
    out = folder / "bad"
    assert main(["render", str(project(folder, **change)), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert len(error.strip().splitlines()) == 1, error
    assert not out.exists()


def test_flags_that_do_not_apply_to_clips_are_refused(folder: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["render", str(project(folder)), "--out", str(folder / "x"), "--renderer", "maps"]) == 2
    assert "--renderer does not apply to a clip project" in capsys.readouterr().err
