"""Every object's mask on every frame of a clip, kept on disk: memory does not grow with the clip's length.

Masks are bit-packed (one bit per pixel) into a temporary memory-mapped file, so a 10 s 720p clip with two objects
takes about 55 MB of disk and only the pages in use in memory. The file is removed on ``close``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from types import TracebackType
from typing import Protocol

import numpy as np

from interp.errors import InputError


class Masks(Protocol):
    """Objects' masks on a clip's frames, as the retimer reads them: ``get(obj, frame)`` is ``height x width``
    bool."""

    num_objects: int
    height: int
    width: int

    def get(self, obj: int, frame: int) -> np.ndarray: ...


def union(masks: Masks, objects: Iterable[int], frame: int) -> np.ndarray:
    """The union of ``objects``' masks on ``frame`` (all False for no objects): ``height x width`` bool."""
    found = np.zeros((masks.height, masks.width), dtype=bool)
    for obj in objects:
        found |= masks.get(obj, frame)
    return found


class MaskStore:
    """``num_objects x num_frames`` masks of ``height x width`` pixels (bool), written once and read in any order."""

    def __init__(self, num_objects: int, num_frames: int, height: int, width: int) -> None:
        if min(num_objects, num_frames, height, width) <= 0:
            raise InputError(f"a mask store needs a positive size, got {num_objects}x{num_frames}x{height}x{width}")
        self.num_objects, self.num_frames, self.height, self.width = num_objects, num_frames, height, width
        self._row_bytes = (width + 7) // 8
        shape = (num_objects, num_frames, height, self._row_bytes)
        self._file = tempfile.TemporaryFile(prefix="interp-masks-")  # noqa: SIM115 (closed by close())
        self._file.truncate(int(np.prod(shape)))
        self._bits: np.memmap | None = np.memmap(self._file, dtype=np.uint8, mode="r+", shape=shape)
        self._written = np.zeros((num_objects, num_frames), dtype=bool)

    def __enter__(self) -> MaskStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _array(self) -> np.memmap:
        if self._bits is None:
            raise InputError("the mask store is closed")
        return self._bits

    def put(self, obj: int, frame: int, mask: np.ndarray) -> None:
        """Store object ``obj``'s mask on clip frame ``frame`` (``height x width``, non-zero = object)."""
        if mask.shape != (self.height, self.width):
            raise InputError(f"a mask of {mask.shape} does not fit a store of {(self.height, self.width)}")
        self._array()[obj, frame] = np.packbits(mask.astype(bool), axis=1)
        self._written[obj, frame] = True

    def get(self, obj: int, frame: int) -> np.ndarray:
        """Object ``obj``'s mask on clip frame ``frame``: ``height x width`` bool (``InputError`` if never stored)."""
        if not self._written[obj, frame]:
            raise InputError(f"object {obj} has no mask on frame {frame} yet")
        return np.unpackbits(self._array()[obj, frame], axis=1, count=self.width).astype(bool)

    def union(self, objects: Iterable[int], frame: int) -> np.ndarray:
        """The union of ``objects``' masks on ``frame`` (``union`` of this store)."""
        return union(self, objects, frame)

    def complete(self) -> bool:
        """Whether every object has a mask on every frame."""
        return bool(self._written.all())

    def close(self) -> None:
        """Remove the file (masks can no longer be read)."""
        self._bits = None
        self._file.close()
