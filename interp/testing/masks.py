"""Mask measures used by tests and benchmarks."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from interp.errors import InputError
from sam_utils.masks import check_mask


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two ``H x W`` bool masks; 1.0 when both are empty."""
    check_mask(a)
    check_mask(b, a.shape)
    total = int(np.count_nonzero(a | b))
    return 1.0 if total == 0 else int(np.count_nonzero(a & b)) / total


def interior_point(mask: np.ndarray, preferred: tuple[float, float] | None = None) -> tuple[int, int]:
    """A point well inside the mask, ``(x, y)``.

    ``preferred`` (e.g. an object's centre) is returned, rounded, when it lies in the mask at least half as far from
    the boundary as the deepest point; otherwise the deepest point (largest distance to the boundary) is returned.
    Raises ``InputError`` for an empty mask.
    """
    check_mask(mask)
    if not mask.any():
        raise InputError("an empty mask has no interior point")
    depth = ndi.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    if preferred is not None:
        x, y = round(preferred[0]), round(preferred[1])
        if 0 <= y < mask.shape[0] and 0 <= x < mask.shape[1] and depth[y, x] >= 0.5 * depth.max():
            return int(x), int(y)
    y, x = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return int(x), int(y)
