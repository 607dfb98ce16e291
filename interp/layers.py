"""Layered splatting: every object and the background move along the pair's flow by their own distance.

Pure NumPy. Frames are ``H x W x 3`` float in [0, 1]; label maps are ``H x W`` int (-1 background, i = object i,
topmost wins); flows are ``2 x H x W`` pixels (``flow01`` on frame 0's grid, ``flow10`` on frame 1's grid).

For a layer at distance ``d``, frame 0's pixels of that layer are splatted forward by ``d * flow01`` and frame 1's
by ``(1 - d) * flow10``; the two are blended with weights ``1 - d`` and ``d`` (each alone where the other does not
reach). Layers are composited in z-order (background, then objects in list order) over a ``base`` image that fills
whatever no layer covers (disocclusions): the map-driven render of the same frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from interp.compose import label_map
from interp.splat import splat, splat_mask

_EPS = 1e-6


def frame1_labels(masks0: Sequence[np.ndarray], flow01: np.ndarray) -> np.ndarray:
    """Label map on frame 1's grid: each frame-0 mask moved along ``flow01`` (cracks closed), z-order kept."""
    kernel = np.ones((3, 3), np.uint8)
    moved = [cv2.morphologyEx(splat_mask(m, flow01).astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0 for m in masks0]
    return label_map(moved)


def _layer(
    img0: np.ndarray,
    img1: np.ndarray,
    select0: np.ndarray,
    select1: np.ndarray,
    flow01: np.ndarray,
    flow10: np.ndarray,
    distance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """One layer at ``distance``: (``H x W x 3`` colour, ``H x W`` coverage in [0, 1])."""
    numerator = np.zeros((3, *select0.shape))
    denominator = np.zeros(select0.shape)
    coverage = np.zeros(select0.shape)
    for image, select, flow, weight in (
        (img0, select0, flow01 * distance, 1.0 - distance),
        (img1, select1, flow10 * (1.0 - distance), distance),
    ):
        if weight <= 0 or not select.any():
            continue
        sums, reached = splat(image.transpose(2, 0, 1), flow, select.astype(np.float64))
        numerator += weight * sums
        denominator += weight * reached
        coverage = np.maximum(coverage, reached)
    colour = numerator / np.maximum(denominator, _EPS)
    return colour.transpose(1, 2, 0), np.clip(coverage, 0.0, 1.0) * (denominator > _EPS)


def render_layers(
    img0: np.ndarray,
    img1: np.ndarray,
    labels0: np.ndarray,
    labels1: np.ndarray,
    flow01: np.ndarray,
    flow10: np.ndarray,
    object_distances: Sequence[float],
    background_distance: float,
    base: np.ndarray,
) -> np.ndarray:
    """Composite the background and each object at its own distance over ``base``; ``H x W x 3`` float32 in [0, 1]."""
    out = base.astype(np.float64).copy()
    layers = [(-1, background_distance), *enumerate(object_distances)]
    for label, distance in layers:
        colour, alpha = _layer(img0, img1, labels0 == label, labels1 == label, flow01, flow10, float(distance))
        out += alpha[..., None] * (colour - out)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
