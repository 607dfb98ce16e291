"""``interp.io.outputs``: the one writer of frame sequences, GIFs and MP4s (names, loop order, all-or-nothing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from interp.core.progress import drain
from interp.io.images import read_image
from interp.io.outputs import animation_order, write_sequence


def frames(count: int) -> list[np.ndarray]:
    """``count`` flat 24 x 32 frames, each a different grey."""
    return [np.full((24, 32, 3), 40 * index, np.uint8) for index in range(count)]


def test_animation_order() -> None:
    assert animation_order(4, "forward") == [0, 1, 2, 3]
    assert animation_order(4, "there-and-back") == [0, 1, 2, 3, 2, 1]
    assert animation_order(1, "there-and-back") == [0]


def test_frames_and_a_there_and_back_gif(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files = drain(write_sequence(frames(3), out, fps=10, gif=True, loop="there-and-back"))
    assert [p.name for p in files.frames] == ["frame_0000.png", "frame_0001.png", "frame_0002.png"]
    assert sorted(p.name for p in out.iterdir()) == ["frame_0000.png", "frame_0001.png", "frame_0002.png", "interp.gif"]
    assert files.mp4 is None
    assert np.array_equal(read_image(files.frames[2]), frames(3)[2])
    with Image.open(out / "interp.gif") as gif:
        greys = []
        for index in range(gif.n_frames):
            gif.seek(index)
            greys.append(int(np.asarray(gif.convert("RGB"))[0, 0, 0]))
    assert greys == [0, 40, 80, 40]


def test_a_closed_writer_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "frame_0000.png").write_bytes(b"earlier run")
    steps = write_sequence(frames(5), out, fps=10, gif=True, mp4=True)
    assert [next(steps), next(steps)] == [1, 2]
    steps.close()  # a cancelled render
    assert sorted(p.name for p in out.iterdir()) == ["frame_0000.png"]
    assert (out / "frame_0000.png").read_bytes() == b"earlier run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_return_leg_and_the_encoders_last_pass_can_be_stopped(tmp_path: Path) -> None:
    """A there-and-back loop encodes its return leg after the last frame: it is done a frame per step, so a render
    cancelled then (the generator closed) stops there and leaves nothing."""
    out = tmp_path / "out"
    steps = write_sequence(frames(5), out, fps=10, gif=True, mp4=True, loop="there-and-back")
    assert [next(steps) for _ in range(6)] == [1, 2, 3, 4, 5, 5]  # five frames, then one frame of the return leg
    steps.close()
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
