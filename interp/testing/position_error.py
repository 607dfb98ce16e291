"""Where did an object land? Sub-pixel offset between a rendered frame and the exact frame, per object.

Used by the manipulation benchmark and tests: for each object visible in the exact frame, the object's exact pixels
(a template under its visible mask) are searched for in the rendered frame within ``search`` pixels; the offset of
the best match (masked sum of squared differences, refined to sub-pixel by a parabola fit) is the position error.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

#: An object whose visible area in the exact frame is below this many pixels counts as hidden and is skipped.
MIN_VISIBLE_PX = 200


def _parabola(left: float, centre: float, right: float) -> float:
    denominator = left - 2 * centre + right
    return 0.0 if denominator <= 1e-12 else 0.5 * (left - right) / denominator


def object_offset(rendered: np.ndarray, exact: np.ndarray, mask: np.ndarray, search: int = 10) -> float | None:
    """Distance in pixels between where the object is in ``rendered`` and where ``exact`` has it.

    Args:
        rendered, exact: ``H x W x 3`` images (any numeric type, same range).
        mask: ``H x W`` bool, the object's visible pixels in ``exact``.
        search: largest offset searched, in pixels.

    Returns:
        The offset length, or ``None`` when the object is hidden (fewer than ``MIN_VISIBLE_PX`` visible pixels).
    """
    mask = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # edges mix with what is behind
    if mask.sum() < MIN_VISIBLE_PX:
        return None
    ys, xs = np.nonzero(mask)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    pad = search + 1
    padded = cv2.copyMakeBorder(rendered.astype(np.float32), pad, pad, pad, pad, cv2.BORDER_REFLECT)
    window = padded[top + pad - search : bottom + pad + search, left + pad - search : right + pad + search]
    template = exact[top:bottom, left:right].astype(np.float32)
    weights = np.repeat(mask[top:bottom, left:right, None], 3, axis=2).astype(np.float32)
    scores = cv2.matchTemplate(window, template, cv2.TM_SQDIFF, mask=weights)
    iy, ix = np.unravel_index(int(np.argmin(scores)), scores.shape)
    dy, dx = float(iy - search), float(ix - search)
    if 0 < ix < scores.shape[1] - 1:
        dx += _parabola(scores[iy, ix - 1], scores[iy, ix], scores[iy, ix + 1])
    if 0 < iy < scores.shape[0] - 1:
        dy += _parabola(scores[iy - 1, ix], scores[iy, ix], scores[iy + 1, ix])
    return float(np.hypot(dx, dy))


def placement_errors(
    rendered: np.ndarray, exact: np.ndarray, masks: Sequence[np.ndarray], search: int = 10
) -> list[float | None]:
    """``object_offset`` for each visible mask (``None`` for hidden objects)."""
    return [object_offset(rendered, exact, m, search) for m in masks]
