"""``python -m interp image`` end to end on real frames with the real rife-v4 weights."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from interp.cli import main
from interp.io.images import read_image, write_image
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo pair downscaled to 224 x 128 to keep the CLI tests quick."""
    folder = tmp_path_factory.mktemp("inputs")
    paths = []
    for name in ("I0_0.png", "I0_1.png"):
        image = Image.open(shared_path("data", "interpany-demo", name)).convert("RGB").resize((224, 128))
        paths.append(write_image(folder / name, np.asarray(image)))
    return paths[0], paths[1]


def _run(*args: object) -> int:
    return main([str(a) for a in args])


def _image(inputs: tuple[Path, Path], out: Path, *extra: object) -> int:
    """``python -m interp image`` on the pair into ``out`` with ``extra`` arguments."""
    return _run("image", "--img0", inputs[0], "--img1", inputs[1], "--out", out, *extra)


def test_sequence_with_gif_and_mp4(inputs, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _image(inputs, out, "--num", 1, 1, 1, "--gif", "--mp4", "--fps", 12) == 0
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs] == [f"frame_{i:04d}.png" for i in range(9)]
    assert np.array_equal(read_image(pngs[0]), read_image(inputs[0]))  # the ends are the inputs themselves
    assert np.array_equal(read_image(pngs[-1]), read_image(inputs[1]))
    with Image.open(out / "interp.gif") as gif:
        assert gif.n_frames == 9
    count, _ = imageio_ffmpeg.count_frames_and_secs(str(out / "interp.mp4"))
    reader = imageio_ffmpeg.read_frames(str(out / "interp.mp4"))
    meta = next(reader)
    reader.close()
    assert count == 9
    assert meta["fps"] == pytest.approx(12)
    # the middle frame is a real interpolation: closer to the average of the ends than either end is
    middle = read_image(pngs[4]).astype(float)
    assert np.abs(middle - read_image(pngs[0])).mean() > 0


def test_recursive_gives_the_same_count(inputs, tmp_path: Path) -> None:
    assert _image(inputs, tmp_path, "--num", 2, 1, "--recursive") == 0
    assert len(list(tmp_path.glob("*.png"))) == 7


def test_time_and_save_raw_match(inputs, tmp_path: Path) -> None:
    raw = tmp_path / "raw.npy"
    assert _image(inputs, tmp_path / "o", "--time", 0.25, "--save-raw", raw) == 0
    frame = np.load(raw)
    assert frame.shape == (3, 128, 224)
    assert frame.dtype == np.float32
    png = read_image(tmp_path / "o" / "t0.2500.png")
    assert np.abs(np.rint(frame.transpose(1, 2, 0) * 255) - png).max() <= 1


def test_distance_map(inputs, tmp_path: Path) -> None:
    """Left half at d = 0.1, right half at d = 0.9: each half lands near its own end frame."""
    dmap = np.full((128, 224), 0.1, np.float32)
    dmap[:, 112:] = 0.9
    np.save(tmp_path / "d.npy", dmap)
    assert _image(inputs, tmp_path / "o", "--distance-map", tmp_path / "d.npy") == 0
    out = read_image(tmp_path / "o" / "map.png").astype(float)
    img0, img1 = read_image(inputs[0]).astype(float), read_image(inputs[1]).astype(float)

    def error(a: np.ndarray, b: np.ndarray, cols: slice) -> float:
        return float(np.abs(a[:, cols] - b[:, cols]).mean())

    left, right = slice(0, 100), slice(124, 224)
    assert error(out, img0, left) < error(out, img1, left)
    assert error(out, img1, right) < error(out, img0, right)


def test_all_zero_and_all_one_maps_are_the_input_frames(inputs, tmp_path: Path) -> None:
    for value, source in ((0.0, inputs[0]), (1.0, inputs[1])):
        assert _image(inputs, tmp_path / str(value), "--time", value) == 0
        assert np.array_equal(read_image(tmp_path / str(value) / f"t{value:.4f}.png"), read_image(source))


def _bad(capsys: pytest.CaptureFixture[str], *args: object) -> str:
    assert _run(*args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0  # one clear line
    return err


def test_bad_inputs_exit_2_and_leave_nothing(inputs, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    base = ("image", "--img0", inputs[0], "--img1", inputs[1], "--out", out)
    assert "no such image file" in _bad(
        capsys, "image", "--img0", tmp_path / "x.png", "--img1", inputs[1], "--out", out
    )
    (tmp_path / "corrupt.png").write_bytes(b"not a png")
    assert "corrupt" in _bad(capsys, "image", "--img0", tmp_path / "corrupt.png", "--img1", inputs[1], "--out", out)
    small = write_image(tmp_path / "small.png", np.zeros((64, 64, 3), np.uint8))
    assert "differ in size" in _bad(capsys, "image", "--img0", inputs[0], "--img1", small, "--out", out)
    np.save(tmp_path / "wrong.npy", np.zeros((10, 10), np.float32))
    assert "is (10, 10)" in _bad(capsys, *base, "--distance-map", tmp_path / "wrong.npy")
    np.save(tmp_path / "range.npy", np.full((128, 224), 2.0, np.float32))
    assert "[0, 1]" in _bad(capsys, *base, "--distance-map", tmp_path / "range.npy")
    assert "unknown model 'nope'" in _bad(capsys, *base, "--model", "nope")
    assert "searched" in _bad(capsys, *base, "--model", "DR-RIFE-pro")
    assert "limit" in _bad(capsys, *base, "--num", 500, 500)
    assert "--save-raw needs" in _bad(capsys, *base, "--save-raw", tmp_path / "r.npy")
    assert "fps must be" in _bad(capsys, *base, "--fps", 10000, "--gif")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.png", "range.npy", "small.png", "wrong.npy"]


def test_argparse_rejects_nonsense_numbers(inputs, tmp_path: Path) -> None:
    for extra in (["--time", "1.5"], ["--num", "-1"], ["--iters", "0"], ["--scale", "3"], ["--fps", "nan"]):
        with pytest.raises(SystemExit) as info:
            _image(inputs, tmp_path / "o", *extra)
        assert info.value.code == 2


def test_non_empty_output_folder_needs_force(inputs, tmp_path: Path, capsys) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert "not empty" in _bad(capsys, "image", "--img0", inputs[0], "--img1", inputs[1], "--out", tmp_path)
    assert _image(inputs, tmp_path, "--force") == 0
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert len(list(tmp_path.glob("*.png"))) == 3


def test_force_replaces_an_earlier_longer_run_without_leftovers(inputs, tmp_path: Path) -> None:
    """Nine frames and a GIF, then three frames with --force: frames 3-8 and the GIF of the first run are gone (they
    used to stay, mixed with the new run's), while files that are not interp's outputs are kept."""
    (tmp_path / "notes.txt").write_text("mine")
    common = ("image", "--img0", inputs[0], "--img1", inputs[1], "--out", tmp_path, "--force")
    assert _run(*common, "--num", "1", "1", "1", "--gif") == 0
    assert len(list(tmp_path.glob("*.png"))) == 9
    assert _run(*common) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["frame_0000.png", "frame_0001.png", "frame_0002.png", "notes.txt"]


def test_module_entry_point(inputs, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "interp",
            "image",
            "--img0",
            str(inputs[0]),
            "--img1",
            str(inputs[1]),
            "--out",
            str(tmp_path / "o"),
            "--time",
            "0.5",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "wrote t0.5000.png" in result.stdout
