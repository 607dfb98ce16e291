"""Re-segmenting each followed frame from the propagated mask with a segmenter (Segment Anything where its weights
are present): the propagated mask becomes a prompt (its box and clicks at its deepest interior points), and the
segmenter's answer replaces it when the two agree enough, so a segmenter that picks something else cannot take over.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from interp.project.schema import Box, Click
from sam_utils.segmenter import Segmenter

#: ``refine(frame, mask) -> mask``: a working-size frame (``h x w x 3`` uint8 RGB) and the propagated ``h x w`` bool
#: mask in; the mask to carry on instead out, or ``None`` to keep the propagated one.
Refine = Callable[[np.ndarray, np.ndarray], np.ndarray | None]

#: The segmenter's mask is used only when its IoU with the propagated mask reaches this.
MIN_AGREEMENT = 0.5
#: Positive clicks placed in the mask at most (one per large part, at its deepest point).
MAX_CLICKS = 3


def prompts_from_mask(mask: np.ndarray) -> tuple[list[Click], Box]:
    """Clicks at the deepest interior point of the mask's largest parts (at most ``MAX_CLICKS``, parts of at least
    a tenth of the largest) and the mask's bounding box. ``mask``: ``h x w`` bool, not empty."""
    ys, xs = np.nonzero(mask)
    box = Box(float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    order = np.argsort(areas)[::-1][:MAX_CLICKS]
    depth = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    clicks = []
    for part in order:
        if areas[part] < areas[order[0]] / 10:
            break
        inside = np.where(labels == part + 1, depth, -1.0)
        y, x = np.unravel_index(int(np.argmax(inside)), inside.shape)
        clicks.append(Click(x + 0.5, y + 0.5, True))
    return clicks, box


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two bool masks (1.0 when both are empty)."""
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def refine_with(segmenter: Segmenter, min_agreement: float = MIN_AGREEMENT) -> Refine:
    """A ``Refine`` that prompts ``segmenter`` with each propagated mask and keeps its answer when they agree."""

    def refine(frame: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
        if not mask.any():
            return None
        clicks, box = prompts_from_mask(mask)
        answer = segmenter.segment(frame, clicks, box).mask
        return answer if agreement(answer, mask) >= min_agreement else None

    return refine
