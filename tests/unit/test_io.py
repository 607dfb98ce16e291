"""Image reading, atomic writes, GIF and MP4 encoding (real ffmpeg)."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from interp.errors import InputError
from interp.io.encode import FfmpegWriter
from interp.io.files import atomic_folder
from interp.io.images import read_image, write_image
from interp.testing.video import write_video


def _frames(count: int, height: int = 33, width: int = 47) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(count)]


def test_png_round_trip_and_mode_conversion(tmp_path: Path) -> None:
    frame = _frames(1)[0]
    assert np.array_equal(read_image(write_image(tmp_path / "a.png", frame)), frame)
    Image.fromarray(frame[:, :, 0]).save(tmp_path / "gray.png")
    assert read_image(tmp_path / "gray.png").shape == (33, 47, 3)
    Image.fromarray(np.dstack([frame, frame[:, :, :1]])).save(tmp_path / "rgba.png")
    assert np.array_equal(read_image(tmp_path / "rgba.png"), frame)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such image file"):
        read_image(tmp_path / "missing.png")
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(InputError, match="not an image or the file is corrupt"):
        read_image(tmp_path / "corrupt.png")


def test_gif_keeps_every_frame_even_repeated_ones(tmp_path: Path) -> None:
    frames = _frames(3)
    frames = [frames[0], frames[0], frames[1], frames[2], frames[2]]
    path = write_video(tmp_path / "a.gif", frames, fps=10)
    with Image.open(path) as gif:
        assert gif.n_frames == 5
        assert gif.info.get("loop") == 0


def test_mp4_odd_size_is_decodable_with_right_count_and_fps(tmp_path: Path) -> None:
    path = write_video(tmp_path / "a.mp4", _frames(7), fps=12.5)
    count, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    reader.close()
    assert count == 7
    assert meta["fps"] == pytest.approx(12.5)
    assert meta["size"] == (48, 34)  # odd sizes padded by one edge row/column for yuv420p


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    frames = _frames(2)
    writer = FfmpegWriter(tmp_path / "a.mp4", fps=5)
    writer.write(frames[0])
    with pytest.raises(InputError, match="earlier frames were"):
        writer.write(np.zeros((10, 10, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="no frames"):
        FfmpegWriter(tmp_path / "b.mp4", fps=5).close()
    with pytest.raises(InputError, match="fps must be"):
        FfmpegWriter(tmp_path / "c.mp4", fps=0)
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_commits_or_removes(tmp_path: Path) -> None:
    with atomic_folder(tmp_path / "out") as staging:
        (staging / "x.txt").write_text("x")
    assert (tmp_path / "out" / "x.txt").read_text() == "x"

    def fail_midway() -> None:
        with atomic_folder(tmp_path / "new") as staging:
            (staging / "y.txt").write_text("y")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_midway()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_folder_removes_its_own_stale_outputs_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("frame_0000.png", "frame_0007.png", "interp.gif", "notes.txt"):
        (out / name).write_text("old")
    owned = ("frame_*.png", "interp.gif", "interp.mp4")

    def failing_run() -> None:
        with atomic_folder(out, owned=owned) as staging:
            (staging / "frame_0000.png").write_text("new")
            raise RuntimeError("the render failed")

    with pytest.raises(RuntimeError, match="failed"):
        failing_run()
    assert sorted(p.name for p in out.iterdir()) == ["frame_0000.png", "frame_0007.png", "interp.gif", "notes.txt"]
    with atomic_folder(out, owned=owned) as staging:
        (staging / "frame_0000.png").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["frame_0000.png", "notes.txt"]
    assert (out / "frame_0000.png").read_text() == "new"
