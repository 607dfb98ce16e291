"""The content key of the segmenters' per-image caches (``interp.core.lru.LRUCache``)."""

from __future__ import annotations

import hashlib

import numpy as np


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
