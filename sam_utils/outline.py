"""An outline that snaps to image edges: OpenCV's Intelligent Scissors (the "magnetic lasso").

The user clicks a few points around an object; the path between consecutive points follows the strongest edges
(a shortest path over an edge cost map), and the closed path, filled, is the mask. The cost map is made once per
image (``prepare_scissors``, like SAM's image encoding); each point then costs one shortest-path map (~0.1-0.3 s at
854 x 480). Points are ``(x, y)`` pixel indices; images ``H x W x 3`` uint8 RGB; masks ``H x W`` bool.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from interp.errors import InputError
from sam_utils.prompts import check_image

#: Canny thresholds of the scissors' edge feature, and the gradient magnitude beyond which edges count as equal
#: (OpenCV's tutorial values).
CANNY_LOW, CANNY_HIGH = 32.0, 100.0
GRADIENT_LIMIT = 200.0

Point = tuple[int, int]


@dataclass(eq=False)
class Scissors:
    """Intelligent Scissors prepared on one image (``size``: ``(H, W)``). Thread-safe: the OpenCV object keeps the
    last shortest-path map, so each path is made under ``lock``."""

    tool: cv2.segmentation.IntelligentScissorsMB
    size: tuple[int, int]
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def nbytes(self) -> int:
        """Roughly what the prepared cost maps hold (a few float planes per pixel), for the caches' bound."""
        return 32 * self.size[0] * self.size[1]


def prepare_scissors(image: np.ndarray) -> Scissors:
    """The edge cost maps of ``image`` (``H x W x 3`` uint8 RGB), once per image."""
    check_image(image)
    tool = cv2.segmentation.IntelligentScissorsMB()
    tool.setEdgeFeatureCannyParameters(CANNY_LOW, CANNY_HIGH)
    tool.setGradientMagnitudeMaxLimit(GRADIENT_LIMIT)
    tool.applyImage(np.ascontiguousarray(image[..., ::-1]))
    return Scissors(tool, (image.shape[0], image.shape[1]))


def _check_point(scissors: Scissors, point: Sequence[float]) -> Point:
    height, width = scissors.size
    x, y = point
    if not (np.isfinite(x) and np.isfinite(y) and 0 <= x < width and 0 <= y < height):
        raise InputError(f"outline point ({x!r}, {y!r}) is outside the {width}x{height} image")
    return int(x), int(y)


def snap_path(scissors: Scissors, start: Sequence[float], end: Sequence[float]) -> np.ndarray:
    """``N x 2`` int32 ``(x, y)``: the edge-following path from ``start`` to ``end`` (both included)."""
    a, b = _check_point(scissors, start), _check_point(scissors, end)
    if a == b:
        return np.array([a], np.int32)
    with scissors.lock:
        scissors.tool.buildMap(a)
        contour = scissors.tool.getContour(b)
    path = np.asarray(contour, np.int32).reshape(-1, 2)  # from the source point to the target, both included
    if path.size == 0 or tuple(path[0]) != a:
        path = np.concatenate([np.array([a], np.int32), path])
    if tuple(path[-1]) != b:
        path = np.concatenate([path, np.array([b], np.int32)])
    return path


def fill_outline(paths: Sequence[np.ndarray], size: tuple[int, int]) -> np.ndarray:
    """``H x W`` bool: the closed polygon through ``paths`` (``N x 2`` int ``(x, y)``, in order) filled, its border
    included. Fewer than three distinct points fill nothing."""
    if not paths:
        return np.zeros(size, bool)
    polygon = np.concatenate([np.asarray(p, np.int32).reshape(-1, 2) for p in paths])
    canvas = np.zeros(size, np.uint8)
    if len(np.unique(polygon, axis=0)) < 3:
        return canvas > 0
    cv2.fillPoly(canvas, [polygon.reshape(-1, 1, 2)], 1)
    cv2.polylines(canvas, [polygon.reshape(-1, 1, 2)], True, 1)
    return canvas > 0


def outline_mask(scissors: Scissors, points: Sequence[Sequence[float]]) -> np.ndarray:
    """``H x W`` bool: the closed snapped outline through ``points`` (at least three), filled."""
    if len(points) < 3:
        raise InputError(f"an outline needs at least 3 points, got {len(points)}")
    paths = [snap_path(scissors, points[i], points[(i + 1) % len(points)]) for i in range(len(points))]
    return fill_outline(paths, scissors.size)
