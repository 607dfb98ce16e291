"""The weight-free mask tools behind one object: per-image preparation cached (like SAM's image encoding), cheap
per-click steps.

* ``outline_path`` / ``close_outline``: the edge-snapping outline (``sam_utils.outline``), its filled mask refined
  by GrabCut in a thin band along it (``refine_band``).
* ``edge_brush``: the superpixels a brush dab covers (``sam_utils.superpixels``).
* ``soft_alpha``: the mask's matted opacity (``sam_utils.matting``), for compositing.

Images are ``H x W x 3`` uint8 RGB; masks ``H x W`` bool; points ``(x, y)`` in pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from interp.core.lru import LRUCache
from sam_utils import masks, matting, outline, superpixels
from sam_utils.cache import image_key
from sam_utils.fallback.box import guarded_grabcut
from sam_utils.prompts import check_image

#: Half width of the band along a closed outline that GrabCut may move the border in, as a share of the image's
#: long side (8 px at 854 x 480; chosen on DAVIS first frames: +0.01 to +0.15 IoU over the snapped outline alone).
REFINE_SHARE = 0.01
#: GrabCut iterations for that refinement; it may not shrink the object below this share of the outline's area.
REFINE_ITERATIONS, REFINE_MIN_KEEP = 3, 0.5


def refine_band(image: np.ndarray, mask: np.ndarray, band: int) -> np.ndarray:
    """``H x W`` bool: ``mask`` with its border moved by GrabCut within ``band`` px of where it is (deeper inside is
    the object, farther outside is not)."""
    check_image(image)
    masks.check_mask(mask, image.shape[:2])
    if band < 1 or not mask.any():
        return mask.copy()
    outer = masks.dilate(mask, band)
    labels = np.full(mask.shape, cv2.GC_BGD, np.uint8)
    labels[outer] = cv2.GC_PR_BGD
    labels[mask] = cv2.GC_PR_FGD
    labels[masks.erode(mask, band)] = cv2.GC_FGD
    ys, xs = np.nonzero(outer)
    margin = 2 * band
    y0, y1 = max(0, int(ys.min()) - margin), min(mask.shape[0], int(ys.max()) + margin + 1)
    x0, x1 = max(0, int(xs.min()) - margin), min(mask.shape[1], int(xs.max()) + margin + 1)
    result = np.zeros_like(mask)
    result[y0:y1, x0:x1] = guarded_grabcut(
        np.ascontiguousarray(image[y0:y1, x0:x1]),
        np.ascontiguousarray(labels[y0:y1, x0:x1]),
        REFINE_ITERATIONS,
        REFINE_MIN_KEEP,
    )
    return result


class MaskTools:
    """The outline, the edge brush and soft edges on any image, their per-image preparation kept in small LRU caches
    keyed by the image's content. Thread-safe (the caches lock; each prepared scissors object has its own lock)."""

    def __init__(self, cache_size: int = 4) -> None:
        self._scissors: LRUCache[str, outline.Scissors] = LRUCache(cache_size)
        self._superpixels: LRUCache[str, superpixels.Superpixels] = LRUCache(cache_size)

    def scissors(self, image: np.ndarray) -> outline.Scissors:
        """The image's prepared Intelligent Scissors (made once per image, ~0.1 s at 854 x 480)."""
        check_image(image)
        return self._scissors.get_or_make(image_key(image), lambda: outline.prepare_scissors(image))

    def superpixels(self, image: np.ndarray) -> superpixels.Superpixels:
        """The image's superpixels (made once per image, ~1 s at 854 x 480)."""
        check_image(image)
        return self._superpixels.get_or_make(image_key(image), lambda: superpixels.compute_superpixels(image))

    def outline_path(self, image: np.ndarray, start: Sequence[float], end: Sequence[float]) -> np.ndarray:
        """``N x 2`` int32 ``(x, y)``: the edge-snapped path from ``start`` to ``end`` on ``image``."""
        return outline.snap_path(self.scissors(image), start, end)

    def close_outline(self, image: np.ndarray, paths: Sequence[np.ndarray]) -> np.ndarray:
        """``H x W`` bool: the closed outline through ``paths`` (consecutive snapped paths, the closing one last)
        filled, its border refined within ``REFINE_SHARE`` of the long side (``refine_band``)."""
        check_image(image)
        filled = outline.fill_outline(paths, image.shape[:2])
        band = max(2, round(REFINE_SHARE * max(image.shape[:2])))
        return refine_band(image, filled, band)

    def edge_brush(self, image: np.ndarray, x: float, y: float, radius: float) -> np.ndarray:
        """``H x W`` bool: the superpixels of ``image`` a brush disk at ``(x, y)`` mostly covers."""
        return superpixels.brush_region(self.superpixels(image), x, y, radius)

    @staticmethod
    def soft_alpha(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """``H x W`` float32 in [0, 1]: the mask with matted edges (``sam_utils.matting.soft_alpha``)."""
        return matting.soft_alpha(image, mask)
