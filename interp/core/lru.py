"""A small least-recently-used cache, for work done once per input (segmenter features, preview frames)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from interp.errors import InputError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def nbytes(value: object) -> int:
    """The bytes a cached value holds: its ``nbytes`` (numpy arrays), else its own ``nbytes()`` method, else 0."""
    size = getattr(value, "nbytes", 0)
    return int(size() if callable(size) else size)


class LRUCache(Generic[K, V]):
    """At most ``capacity`` values, and at most ``max_bytes`` bytes of them (``nbytes``) when given; adding one more
    drops the least recently used.

    Every step is thread-safe: ``get`` / ``put`` / ``discard`` under a short lock of their own; ``get_or_make`` under
    a second lock around look-up, making and storing, so concurrent callers never make the same value twice. It
    counts its ``misses``.
    """

    def __init__(self, capacity: int, max_bytes: int | None = None) -> None:
        if capacity < 1:
            raise InputError(f"cache capacity must be >= 1, got {capacity!r}")
        if max_bytes is not None and max_bytes < 1:
            raise InputError(f"cache max_bytes must be >= 1, got {max_bytes!r}")
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.misses = 0  # values ``get_or_make`` had to make
        self.bytes = 0  # bytes of the values held
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()  # held while a value is made
        self._items_lock = threading.Lock()  # held for one dictionary step

    def get(self, key: K) -> V | None:
        """The value for ``key`` (now the most recently used), or ``None``."""
        with self._items_lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            self._items.move_to_end(key)
            return entry[0]

    def put(self, key: K, value: V) -> None:
        """Store ``value`` as the most recently used, evicting the oldest entries beyond capacity or ``max_bytes``
        (a value larger than ``max_bytes`` on its own is not kept)."""
        size = nbytes(value)
        with self._items_lock:
            self._pop(key)
            self._items[key] = (value, size)
            self.bytes += size
            while len(self._items) > self.capacity or (self.max_bytes is not None and self.bytes > self.max_bytes):
                self._pop(next(iter(self._items)))

    def discard(self, keep: Callable[[K], bool]) -> int:
        """Drop every entry whose key ``keep`` refuses; returns how many were dropped."""
        with self._items_lock:
            gone = [key for key in self._items if not keep(key)]
            for key in gone:
                self._pop(key)
            return len(gone)

    def _pop(self, key: K) -> None:
        """Remove ``key`` if present (``self._items_lock`` held)."""
        entry = self._items.pop(key, None)
        if entry is not None:
            self.bytes -= entry[1]

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value for ``key``, made by ``make()`` and stored on a miss."""
        with self._lock:
            value = self.get(key)
            if value is None:
                value = make()
                self.misses += 1
                self.put(key, value)
            return value

    def __getstate__(self) -> dict:
        """Copies and pickles leave the locks out (a per-session ``gr.State`` holding a cache is deep-copied)."""
        state = self.__dict__.copy()
        del state["_lock"], state["_items_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._items_lock = threading.Lock()

    def held_keys(self) -> list[K]:
        """The keys held, least recently used first."""
        with self._items_lock:
            return list(self._items)

    def clear(self) -> None:
        with self._items_lock:
            self._items.clear()
            self.bytes = 0

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
