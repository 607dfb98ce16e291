"""Composing per-object distance curves into one per-pixel distance map per output frame (pure functions).

Masks are ``H x W`` bool on frame 0's grid, in z-order (later objects on top). Flows are ``2 x H x W`` pixels.

Two footprint methods:

* ``"swept"`` (default): an object's map region is the area it sweeps along its path from frame 0 to frame 1 (its
  frame-0 mask moved along its own flow), so the map holds the object's distance wherever the object can be;
* ``"naive"``: the frame-0 mask only, blurred (the reference webapp's method, kept for comparison).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from interp.core.forward_warp import splat_mask
from interp.errors import InputError

FOOTPRINT_METHODS = ("swept", "naive")
#: Feathering of map edges, in pixels (dilation, then a Gaussian of half that width).
DEFAULT_FEATHER_PX = 4.0
#: The reference webapp blurs its maps with a 9 x 9 Gaussian kernel.
NAIVE_BLUR_KERNEL = 9


def check_masks(masks: Sequence[np.ndarray], shape: tuple[int, int]) -> list[np.ndarray]:
    """Validate masks (``H x W``, the frame's size) and return them as bool arrays."""
    checked = []
    for index, mask in enumerate(masks):
        if mask.shape != shape:
            raise InputError(f"mask {index} is {mask.shape}, the frames are {shape}")
        checked.append(np.asarray(mask) > 0)
    return checked


def label_map(masks: Sequence[np.ndarray]) -> np.ndarray:
    """``H x W`` int: index of the topmost object covering each pixel, -1 for background."""
    if not masks:
        raise InputError("label_map needs at least one mask to know the size")
    labels = np.full(masks[0].shape, -1, dtype=np.int32)
    for index, mask in enumerate(masks):
        labels[mask] = index
    return labels


def swept_footprint(mask: np.ndarray, flow01: np.ndarray, step_px: float = 0.75) -> np.ndarray:
    """Union of ``mask`` moved by ``s * flow01`` for s from 0 to 1, in steps of at most ``step_px`` pixels.

    Args:
        mask: ``H x W`` bool, the object on frame 0.
        flow01: ``2 x H x W`` flow from frame 0 to frame 1 (only values inside the mask matter).
    """
    if not mask.any():
        return mask.copy()
    longest = float(np.hypot(flow01[0][mask], flow01[1][mask]).max())
    steps = max(1, math.ceil(longest / step_px))
    footprint = mask.copy()
    for k in range(1, steps + 1):
        footprint |= splat_mask(mask, flow01 * (k / steps))
    return cv2.morphologyEx(footprint.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)) > 0


def feather(mask: np.ndarray, feather_px: float) -> np.ndarray:
    """Soft coverage in [0, 1]: 1 on the mask, falling to 0 within about ``feather_px`` pixels outside it."""
    if feather_px <= 0:
        return mask.astype(np.float32)
    radius = max(1, round(feather_px / 2))
    grown = cv2.dilate(mask.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2))
    sigma = feather_px / 2
    soft = cv2.GaussianBlur(grown.astype(np.float32), (0, 0), sigma)
    return np.clip(np.maximum(soft, mask.astype(np.float32)), 0.0, 1.0)


def naive_coverage(mask: np.ndarray) -> np.ndarray:
    """The reference webapp's coverage: the frame-0 mask blurred by a 9 x 9 Gaussian kernel."""
    kernel = NAIVE_BLUR_KERNEL
    return cv2.GaussianBlur(mask.astype(np.float32), (kernel, kernel), 0)


def footprints(
    masks: Sequence[np.ndarray],
    flow01: np.ndarray | None,
    method: str = "swept",
    feather_px: float = DEFAULT_FEATHER_PX,
) -> list[np.ndarray]:
    """Soft map coverage (``H x W`` float in [0, 1]) of each object for a footprint ``method``."""
    if method not in FOOTPRINT_METHODS:
        raise InputError(f"footprint method must be one of {FOOTPRINT_METHODS}, got {method!r}")
    if method == "naive":
        return [naive_coverage(m) for m in masks]
    if flow01 is None:
        raise InputError("the swept footprint needs the pair's flow (flow01)")
    return [feather(swept_footprint(m, flow01), feather_px) for m in masks]


def compose_from_coverage(
    coverage: Sequence[np.ndarray], object_distances: np.ndarray, background_distances: np.ndarray
) -> list[np.ndarray]:
    """Paint distances in z-order: background first, then each object over it with its soft coverage.

    Args:
        coverage: per object ``H x W`` float in [0, 1].
        object_distances: ``F x N`` distances (F frames, N objects).
        background_distances: ``F`` distances.

    Returns:
        F maps, ``H x W`` float32; every value lies between the smallest and largest distance of its frame.
    """
    if object_distances.shape != (len(background_distances), len(coverage)):
        raise InputError(
            f"object distances must be frames x objects = {len(background_distances)} x "
            f"{len(coverage)}, got {object_distances.shape}"
        )
    if not coverage:
        raise InputError("compose_from_coverage needs at least one coverage map (for the frame size)")
    maps = []
    for frame, background in enumerate(background_distances):
        dmap = np.full(coverage[0].shape, background, dtype=np.float32)
        for alpha, distance in zip(coverage, object_distances[frame], strict=True):
            dmap += alpha * (np.float32(distance) - dmap)
        maps.append(dmap)
    return maps
