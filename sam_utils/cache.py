"""A small least-recently-used cache keyed by image content, for per-image work done once (encodings, features)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

import numpy as np

from interp.errors import InputError

V = TypeVar("V")


def image_key(*images: np.ndarray | None) -> str:
    """A content hash of one or more arrays (shape, dtype and bytes); ``None`` entries count as "absent"."""
    digest = hashlib.blake2b(digest_size=16)
    for image in images:
        if image is None:
            digest.update(b"none;")
            continue
        array = np.ascontiguousarray(image)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


class LRUCache(Generic[V]):
    """At most ``capacity`` values; adding one more drops the least recently used. Not thread-safe by itself."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise InputError(f"cache capacity must be >= 1, got {capacity!r}")
        self.capacity = capacity
        self._items: OrderedDict[str, V] = OrderedDict()

    def get(self, key: str) -> V | None:
        """The value for ``key`` (now the most recently used), or ``None``."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: V) -> None:
        """Store ``value`` as the most recently used, evicting the oldest entries beyond capacity."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
