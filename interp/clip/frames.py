"""A clip's frames at the tracker's working size, readable in any order without holding the clip decoded.

A folder of frames is read on demand. A video is decoded once, streaming, and its frames are kept at the working
size in a temporary file on disk (memory-mapped; removed on ``close``), so following an object backwards from a
frame in the middle of a long video needs neither a second decode per frame nor the clip in memory.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from interp.core.progress import Progress
from interp.errors import InputError
from interp.io.decode import iter_frames, probe_video
from interp.io.images import read_image

#: File suffixes read as frames from a folder (sorted by name).
FRAME_SUFFIXES = (".png", ".jpg", ".jpeg")
#: The tracker works on frames whose longer side is at most this many pixels (masks are written at full size).
WORK_SIDE = 480


def work_shape(height: int, width: int, side: int = WORK_SIDE) -> tuple[int, int]:
    """``(h, w)`` of a ``height x width`` frame scaled so its longer side is at most ``side`` (never enlarged)."""
    if height <= 0 or width <= 0:
        raise InputError(f"a frame must have a positive size, got {width}x{height}")
    scale = min(1.0, side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def to_work(frame: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``frame`` (``H x W x 3`` uint8 RGB) resized to ``shape`` = ``(h, w)`` (area filter when shrinking)."""
    if frame.shape[:2] == shape:
        return np.ascontiguousarray(frame)
    return cv2.resize(frame, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class ClipInfo:
    """What a clip is: where it comes from, its full frame size, frame count and rate (``None`` for a folder)."""

    path: Path
    height: int
    width: int
    num_frames: int
    fps: float | None


class ClipFrames:
    """Random access to a clip's frames at the working size: ``clip.work(i)`` is ``h x w x 3`` uint8 RGB.

    Use ``open_clip``; close it (or use it as a context manager) to remove a video's temporary frame file.
    """

    def __init__(self, info: ClipInfo, shape: tuple[int, int]) -> None:
        self.info = info
        self.shape = shape

    def __len__(self) -> int:
        return self.info.num_frames

    def __enter__(self) -> ClipFrames:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release what the clip holds (nothing for a folder)."""

    def check_index(self, index: int) -> int:
        """``index`` when it names a frame of the clip; ``InputError`` otherwise."""
        if not 0 <= index < len(self):
            raise InputError(f"frame {index} is outside the clip {self.info.path} (frames 0 to {len(self) - 1})")
        return index

    def work(self, index: int) -> np.ndarray:
        """Frame ``index`` at the working size."""
        raise NotImplementedError

    def full(self, index: int) -> np.ndarray:
        """Frame ``index`` at full size (``H x W x 3`` uint8 RGB)."""
        raise NotImplementedError


class FolderClip(ClipFrames):
    """A folder of PNG/JPEG frames, sorted by name, read on demand (all frames must share one size)."""

    def __init__(self, path: Path, files: list[Path], side: int) -> None:
        first = read_image(files[0])
        height, width = first.shape[:2]
        super().__init__(ClipInfo(path, height, width, len(files), None), work_shape(height, width, side))
        self.files = files

    def full(self, index: int) -> np.ndarray:
        frame = read_image(self.files[self.check_index(index)])
        if frame.shape[:2] != (self.info.height, self.info.width):
            raise InputError(
                f"{self.files[index].name} is {frame.shape[1]}x{frame.shape[0]}, but the clip's frames are "
                f"{self.info.width}x{self.info.height}: every frame of a folder must have the same size"
            )
        return frame

    def work(self, index: int) -> np.ndarray:
        return to_work(self.full(index), self.shape)


class VideoClip(ClipFrames):
    """A video decoded once into a temporary file of working-size frames (memory-mapped, removed on close)."""

    def __init__(self, path: Path, side: int, progress: Progress | None = None) -> None:
        video = probe_video(path)
        super().__init__(
            ClipInfo(path, video.height, video.width, 0, video.fps), work_shape(video.height, video.width, side)
        )
        h, w = self.shape
        self._file = tempfile.TemporaryFile(prefix="interp-clip-")  # noqa: SIM115 (closed by close())
        expected = max(1, video.frame_count)
        try:
            count = 0
            for frame in iter_frames(path):
                self._file.write(to_work(frame, self.shape).tobytes())
                count += 1
                if progress is not None:
                    progress(count, max(expected, count))
            if count == 0:
                raise InputError(f"video {path} has no frames")
            self._file.flush()
            self._frames = np.memmap(self._file, dtype=np.uint8, mode="r", shape=(count, h, w, 3))
        except BaseException:
            self._file.close()
            raise
        self.info = ClipInfo(path, video.height, video.width, count, video.fps)

    def work(self, index: int) -> np.ndarray:
        return np.array(self._frames[self.check_index(index)])

    def full(self, index: int) -> np.ndarray:
        """Frame ``index`` at full size, decoded from the start (exact; for the few frames objects are given on)."""
        self.check_index(index)
        for position, frame in enumerate(iter_frames(self.info.path)):
            if position == index:
                return np.array(frame)
        raise InputError(f"cannot decode frame {index} of {self.info.path}")

    def close(self) -> None:
        self._frames = None
        self._file.close()


class ScaledView(ClipFrames):
    """A clip seen at a smaller working size: its full-size frames are ``base``'s working frames (the size a retimed
    clip renders at), its working frames those scaled to at most ``side`` (the size the tracker follows objects at)."""

    def __init__(self, base: ClipFrames, side: int = WORK_SIDE) -> None:
        height, width = base.shape
        super().__init__(
            ClipInfo(base.info.path, height, width, len(base), base.info.fps), work_shape(height, width, side)
        )
        self.base = base

    def full(self, index: int) -> np.ndarray:
        return self.base.work(index)

    def work(self, index: int) -> np.ndarray:
        return to_work(self.base.work(index), self.shape)


def open_clip(path: Path | str, side: int = WORK_SIDE, progress: Progress | None = None) -> ClipFrames:
    """Open ``path``: a video file, or a folder of frames (PNG or JPEG, sorted by name).

    Raises ``InputError`` for a missing path, a folder without frames, or a file that is not a readable video.
    ``progress(done, total)`` follows a video's one decoding pass.
    """
    path = Path(path)
    if side < 16 or not math.isfinite(side):
        raise InputError(f"the working size must be at least 16 px, got {side!r}")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FRAME_SUFFIXES)
        if not files:
            raise InputError(f"folder {path} holds no frames ({', '.join(FRAME_SUFFIXES)})")
        return FolderClip(path, files, side)
    if not path.exists():
        raise InputError(f"no such clip: {path} (a video file or a folder of frames)")
    return VideoClip(path, side, progress)
