"""A small least-recently-used cache, for work done once per input (segmenter features, preview frames)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from interp.errors import InputError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``capacity`` values; adding one more drops the least recently used.

    ``get`` / ``put`` are plain dictionary steps; ``get_or_make`` is thread-safe (one lock around look-up, making and
    storing, so concurrent callers never make the same value twice) and counts its ``misses``.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise InputError(f"cache capacity must be >= 1, got {capacity!r}")
        self.capacity = capacity
        self.misses = 0  # values ``get_or_make`` had to make
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value for ``key`` (now the most recently used), or ``None``."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Store ``value`` as the most recently used, evicting the oldest entries beyond capacity."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

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
        """Copies and pickles leave the lock out (a per-session ``gr.State`` holding a cache is deep-copied)."""
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def clear(self) -> None:
        self._items.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
