"""Reading clips: folders and videos at the working size, in any order, and clear errors for bad clips."""

from __future__ import annotations

import gc
import os

import numpy as np
import pytest

from interp.clip.frames import open_clip, work_shape
from interp.errors import InputError
from interp.io.images import write_image
from interp.testing.video import write_video


def test_work_shape_keeps_the_aspect_and_never_enlarges():
    assert work_shape(480, 854) == (270, 480)
    assert work_shape(1080, 1920, 480) == (270, 480)
    assert work_shape(100, 60) == (100, 60)
    with pytest.raises(InputError, match="positive size"):
        work_shape(0, 10)


def nearest(frame: np.ndarray, frames: list[np.ndarray]) -> int:
    """Which of ``frames`` ``frame`` is (H.264 changes pixels a little; the clip's frames differ a lot)."""
    errors = [np.abs(frame.astype(int) - other).mean() for other in frames]
    assert min(errors) < 12, errors
    return int(np.argmin(errors))


def test_folder_and_video_give_the_same_frames(disc_clip, tmp_path):
    video = write_video(tmp_path / "clip.mp4", disc_clip.frames, fps=10.0)
    with open_clip(disc_clip.folder) as folder, open_clip(video) as decoded:
        assert len(folder) == len(decoded) == len(disc_clip.frames)
        assert decoded.info.fps == pytest.approx(10.0)
        assert folder.shape == decoded.shape == (120, 160)
        for index in (len(folder) - 1, 0, 5):  # any order
            assert np.array_equal(folder.work(index), disc_clip.frames[index])
            assert nearest(decoded.work(index), disc_clip.frames) == index
        assert nearest(decoded.full(7), disc_clip.frames) == 7


def test_a_video_keeps_its_frames_in_a_temporary_file_removed_on_close(disc_clip, tmp_path):
    video = write_video(tmp_path / "clip.mp4", disc_clip.frames, fps=10.0)
    clip = open_clip(video, side=80)
    assert clip.shape == (60, 80)
    descriptor = clip._file.fileno()
    assert os.fstat(descriptor).st_size == len(clip) * 60 * 80 * 3
    clip.close()
    gc.collect()
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(descriptor)


def test_bad_clips_are_named(tmp_path):
    with pytest.raises(InputError, match="no such clip"):
        open_clip(tmp_path / "missing.mp4")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="holds no frames"):
        open_clip(empty)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    with pytest.raises(InputError, match=r"junk\.mp4"):
        open_clip(junk)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    write_image(mixed / "a.png", np.zeros((20, 30, 3), np.uint8))
    write_image(mixed / "b.png", np.zeros((21, 30, 3), np.uint8))
    with open_clip(mixed) as clip, pytest.raises(InputError, match="same size"):
        clip.work(1)
    with pytest.raises(InputError, match="at least 16"):
        open_clip(mixed, side=4)
