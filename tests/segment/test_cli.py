"""``python -m interp segment`` end to end, and its errors (one line, exit status 2, nothing written)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interp.cli import main
from interp.io.images import write_image
from interp.models.paths import is_present
from interp.models.registry import Kind, get_spec
from interp.testing.masks import interior_point, iou
from interp.testing.synthetic import make_scene


@pytest.fixture(scope="module")
def scene_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("frames")
    scene = make_scene(3)
    truth = scene.visible_masks()[2]
    return {
        "frame0": write_image(folder / "frame0.png", scene.frame(0.0)),
        "frame1": write_image(folder / "frame1.png", scene.frame(1.0)),
        "small": write_image(folder / "small.png", scene.frame(1.0)[:100, :200]),
        "truth": truth,
        "click": interior_point(truth, scene.centres(0.0)[2]),
    }


def _run(*args: object) -> int:
    return main(["segment", *(str(a) for a in args)])


def test_writes_the_mask_and_reports_backend_and_score(
    scene_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    x, y = scene_files["click"]
    out, drawn = tmp_path / "out" / "mask.png", tmp_path / "overlay.png"
    code = _run("--image", scene_files["frame0"], "--next", scene_files["frame1"], "--point", x, y,
                "--negative", 5, 5, "--backend", "fallback", "--out", out, "--overlay", drawn)  # fmt: skip
    assert code == 0
    stored = np.asarray(Image.open(out))
    assert stored.shape == (256, 448)
    assert set(np.unique(stored)) == {0, 255}
    assert iou(stored == 255, scene_files["truth"]) >= 0.9
    assert np.asarray(Image.open(drawn)).shape == (256, 448, 3)
    printed = capsys.readouterr().out
    assert "backend: fallback (colour + motion" in printed
    assert "score: 0." in printed


def test_sam_through_the_cli_with_a_checkpoint(
    scene_files, tiny_sam_checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mask.png"
    code = _run("--image", scene_files["frame0"], "--point", 100, 120, "--box", 50, 60, 300, 200,
                "--checkpoint", tiny_sam_checkpoint, "--device", "cpu", "--out", out)  # fmt: skip
    assert code == 0
    assert np.asarray(Image.open(out)).shape == (256, 448)
    assert "backend: Segment Anything (SAM from tiny_sam.pth on cpu)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--point", 448, 10], "click (448, 10) is outside the 448x256 image"),
        (["--point", -1, 10], "click (-1, 10) is outside"),
        ([], "at least one --point X Y on the object is needed"),
        (["--negative", 5, 5], "at least one --point X Y on the object is needed"),
        (["--point", 10, 10, "--next", "{small}"], "the next frame is 200x100, the image is 448x256"),
        (["--point", 10, 10, "--box", 20, 20, 60, 60], "lies outside the box"),
        (["--point", 10, 10, "--out", "{tmp}/mask.jpg"], "--out must name a .png file"),
        (["--point", 10, 10, "--backend", "fallback", "--checkpoint", "{tmp}/x.pth"], "cannot be used with"),
    ],
)
def test_bad_input_fails_with_one_line(
    scene_files, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[object], message: str
) -> None:
    names = {"small": scene_files["small"], "tmp": tmp_path}
    extra = [str(e).format(**names) for e in extra]
    if "--out" not in extra:
        extra += ["--out", str(tmp_path / "mask.png")]
    assert _run("--image", scene_files["frame0"], *extra) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert not list(tmp_path.iterdir())  # nothing written, no temporary files


def test_unreadable_and_missing_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    assert _run("--image", broken, "--point", 1, 1, "--out", tmp_path / "m.png") == 2
    assert "cannot read image" in capsys.readouterr().err
    assert _run("--image", tmp_path / "none.png", "--point", 1, 1, "--out", tmp_path / "m.png") == 2
    assert "no such image file" in capsys.readouterr().err
    assert not (tmp_path / "m.png").exists()


def test_sam_requested_without_weights(
    scene_files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INTERP_CHECKPOINTS", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    if is_present(get_spec("sam-vit-l", Kind.SEGMENTER)):
        pytest.skip("the official SAM ViT-L checkpoint is installed in the project")
    out = tmp_path / "mask.png"
    assert _run("--image", scene_files["frame0"], "--point", 5, 5, "--backend", "sam", "--sam-model", "sam-vit-l",
                "--out", out) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "needs its checkpoint 'sam_vit_l_0b3195.pth'" in err
    assert "python -m interp weights fetch sam-vit-l" in err
    assert err.count("\n") == 1
    assert not out.exists()
