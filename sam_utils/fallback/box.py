"""The fallback's box path: GrabCut inside a box, helped by motion and guarded against collapsing.

Plain GrabCut with a box (OpenCV's rectangle initialisation) models the object's colours from everything in the box;
where the background inside the box has the object's colours it often keeps wall, water or grass, and on
low-contrast objects its iterations can collapse the object to nothing. This path differs in three ways:

1. With a second frame, pixels in the box that the background motion explains and that do not move against it
   start as probable background (the object moves differently or is told apart by colour), when that leaves
   enough of the box as probable object.
2. GrabCut runs one iteration at a time; an iteration that shrinks the object below ``min_keep`` of the box's
   probable object is undone and the iterations stop.
3. The result keeps the large pieces (at least ``min_piece`` of the largest) and the pieces under positive clicks.

Everything here is at the working size of the ``PairFeatures`` given (``h x w``); boxes and clicks in working pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from sam_utils import masks
from sam_utils.fallback.grabcut import GRABCUT_SEED


@dataclass(frozen=True)
class BoxParams:
    """The box path's tunables (chosen on DAVIS frames 0 and 20 of its six sequences; see bench/bench_masks.py)."""

    work_size: int = 400  # long side of the working resolution for boxes, pixels
    iterations: int = 5  # GrabCut iterations at most
    still_explained: float = 0.6  # background motion explains a pixel above this …
    still_flow: float = 1.0  # … and it moves less than this (working px) against the background: probably not it
    min_moving: float = 0.1  # the motion cue is used only when it leaves this share of the box as probable object
    min_keep: float = 0.15  # an iteration may not shrink the object below this share of the probable object
    min_piece: float = 0.2  # pieces smaller than this share of the largest are dropped (unless clicked)
    crop_margin: float = 0.5  # GrabCut sees the box grown by this share of its size …
    crop_margin_px: int = 10  # … plus this many pixels
    seed_radius: int = 3  # half side of the sure square at each click
    max_hole: float = 0.02  # holes up to this share of the image are filled


DEFAULT_BOX_PARAMS = BoxParams()


def box_trimap(
    shape: tuple[int, int],
    box: tuple[int, int, int, int],
    background: np.ndarray | None,
    relative: np.ndarray | None,
    params: BoxParams = DEFAULT_BOX_PARAMS,
) -> np.ndarray:
    """``h x w`` uint8 GrabCut labels for a box ``(x0, y0, x1, y1)``: background outside, probable object inside,
    minus what the background motion explains (``background``: ``h x w`` float in [0, 1]; ``relative``: ``h x w x 2``
    flow against the background motion; both None without a second frame)."""
    x0, y0, x1, y1 = box
    labels = np.full(shape, cv2.GC_BGD, np.uint8)
    labels[y0:y1, x0:x1] = cv2.GC_PR_FGD
    if background is not None and relative is not None:
        inside = labels == cv2.GC_PR_FGD
        still = (background > params.still_explained) & (
            np.hypot(relative[..., 0], relative[..., 1]) < params.still_flow
        )
        if np.count_nonzero(inside & ~still) >= params.min_moving * np.count_nonzero(inside):
            labels[inside & still] = cv2.GC_PR_BGD
    return labels


def guarded_grabcut(rgb: np.ndarray, labels: np.ndarray, iterations: int, min_keep: float) -> np.ndarray:
    """GrabCut (``rgb``: ``h x w x 3`` uint8 RGB, ``labels``: ``h x w`` uint8 ``cv2.GC_*``) one iteration at a time,
    undoing the iteration that shrinks the object below ``min_keep`` of its initial probable area; ``h x w`` bool."""
    labels = labels.copy()
    object_now = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    floor = min_keep * np.count_nonzero(object_now)
    if not ((labels == cv2.GC_PR_BGD) | (labels == cv2.GC_PR_FGD)).any():
        return object_now
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    background_model, foreground_model = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.setRNGSeed(GRABCUT_SEED)  # the same prompts give the same mask on every thread
    previous = labels.copy()
    for step in range(iterations):
        mode = cv2.GC_INIT_WITH_MASK if step == 0 else cv2.GC_EVAL
        cv2.grabCut(bgr, labels, None, background_model, foreground_model, 1, mode)
        if np.count_nonzero((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)) < floor:
            labels = previous
            break
        previous = labels.copy()
    return (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)


def keep_pieces(mask: np.ndarray, clicked: np.ndarray, min_piece: float) -> np.ndarray:
    """The 8-connected pieces of ``mask`` at least ``min_piece`` the size of the largest, and those touching
    ``clicked`` (both ``h x w`` bool)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return mask.copy()
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, bool)
    keep[1:] = areas >= min_piece * areas.max()
    keep[np.unique(labels[clicked & mask])] = True
    keep[0] = False
    return keep[labels]


def box_segment(
    rgb: np.ndarray,
    box: tuple[int, int, int, int],
    positives: Sequence[tuple[int, int]],
    negatives: Sequence[tuple[int, int]],
    background: np.ndarray | None = None,
    relative: np.ndarray | None = None,
    params: BoxParams = DEFAULT_BOX_PARAMS,
) -> np.ndarray:
    """``h x w`` bool: the object in ``box`` (``(x0, y0, x1, y1)`` working pixels) of ``rgb`` (``h x w x 3`` uint8),
    with positive / negative clicks (working ``(x, y)``) as sure object / background seeds."""
    shape = rgb.shape[:2]
    labels = box_trimap(shape, box, background, relative, params)
    labels[masks.squares(shape, positives, params.seed_radius)] = cv2.GC_FGD
    labels[masks.squares(shape, negatives, params.seed_radius)] = cv2.GC_BGD
    x0, y0, x1, y1 = box
    grow_x = round(params.crop_margin * (x1 - x0)) + params.crop_margin_px
    grow_y = round(params.crop_margin * (y1 - y0)) + params.crop_margin_px
    cy0, cy1 = max(0, y0 - grow_y), min(shape[0], y1 + grow_y)
    cx0, cx1 = max(0, x0 - grow_x), min(shape[1], x1 + grow_x)
    found = np.zeros(shape, bool)
    found[cy0:cy1, cx0:cx1] = guarded_grabcut(
        np.ascontiguousarray(rgb[cy0:cy1, cx0:cx1]),
        np.ascontiguousarray(labels[cy0:cy1, cx0:cx1]),
        params.iterations,
        params.min_keep,
    )
    found = keep_pieces(found, masks.squares(shape, positives, params.seed_radius), params.min_piece)
    return masks.fill_small_holes(found, round(params.max_hole * found.size))
