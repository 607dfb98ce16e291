"""The LRU cache and the content key that the segmenters' per-image caches use."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from interp.core.lru import LRUCache
from interp.errors import InputError
from sam_utils.cache import image_key


def test_least_recently_used_is_evicted() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert len(cache) == 2
    cache.put("a", 4)  # replacing refreshes
    cache.put("d", 5)
    assert cache.get("c") is None
    assert cache.get("a") == 4
    with pytest.raises(InputError, match="capacity must be >= 1, got 0"):
        LRUCache(0)


def test_image_key_follows_content_shape_and_dtype() -> None:
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    assert image_key(image) == image_key(image.copy())
    assert image_key(image) != image_key(image.reshape(4, 2, 3))
    assert image_key(image) != image_key(image.astype(np.int16))
    changed = image.copy()
    changed[1, 3, 2] += 1
    assert image_key(image) != image_key(changed)
    assert image_key(image, None) != image_key(image, image)
    assert image_key(image[:, ::-1]) == image_key(np.ascontiguousarray(image[:, ::-1]))


def test_a_cache_can_be_deep_copied_and_makes_values_once() -> None:
    """The app keeps a cache in every session's ``gr.State``, which Gradio deep-copies; the copy gets its own lock."""
    cache: LRUCache[str, int] = LRUCache(2)
    assert cache.get_or_make("a", lambda: 1) == 1
    assert cache.get_or_make("a", lambda: 2) == 1
    assert cache.misses == 1
    twin = copy.deepcopy(cache)
    twin.put("b", 3)
    assert "b" not in cache
    assert twin.get_or_make("c", lambda: 4) == 4
    assert twin.misses == 2
