"""GrabCut around a probable object, and a colour watershed that splits a region between two sets of clicks.

Labels are OpenCV's GrabCut classes (``cv2.GC_BGD``, ``GC_FGD``, ``GC_PR_BGD``, ``GC_PR_FGD``) in ``h x w`` uint8
arrays; images are ``h x w x 3`` uint8 RGB.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Seed of the random generator GrabCut draws from (its results then depend on the prompts only).
GRABCUT_SEED = 0


@dataclass(frozen=True)
class CropRule:
    """GrabCut runs in the probable object's box grown by ``margin`` times its size or at least ``margin_px``
    pixels; crops larger than ``max_pixels`` are downscaled for GrabCut (a latency bound)."""

    margin: float
    margin_px: int
    max_pixels: int


def split_by_clicks(rgb: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """Pixels that a colour watershed from the positive seeds reaches before one from the negative seeds.

    Args:
        rgb: ``h x w x 3`` uint8 RGB; positive, negative: ``h x w`` bool seed areas.

    Returns:
        ``h x w`` bool, True on the positive side (watershed lines count as positive).
    """
    markers = np.zeros(rgb.shape[:2], np.int32)
    markers[positive] = 1
    markers[negative & ~positive] = 2
    cv2.watershed(np.ascontiguousarray(rgb[..., ::-1]), markers)
    return markers != 2


def _crop(region: np.ndarray, rule: CropRule) -> tuple[int, int, int, int]:
    """``(y0, y1, x0, x1)``: the box of ``region`` grown by the rule's margin, inside the image."""
    ys, xs = np.nonzero(region)
    height, width = region.shape
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    margin_y = round(max(rule.margin_px, rule.margin * (y1 - y0)))
    margin_x = round(max(rule.margin_px, rule.margin * (x1 - x0)))
    return max(0, y0 - margin_y), min(height, y1 + margin_y), max(0, x0 - margin_x), min(width, x1 + margin_x)


def _grabcut_crop(image: np.ndarray, labels: np.ndarray, max_pixels: int, iterations: int) -> np.ndarray:
    """GrabCut on one crop (``h x w x 3`` uint8 RGB, ``h x w`` labels), downscaled to at most ``max_pixels`` pixels
    when larger; returns the resolved labels at the crop's size."""
    height, width = labels.shape
    factor = min(1.0, float(np.sqrt(max_pixels / (height * width))))
    small = (max(2, round(width * factor)), max(2, round(height * factor)))
    if factor < 1.0:
        image = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
        labels = cv2.resize(labels, small, interpolation=cv2.INTER_NEAREST)
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    # GrabCut seeds its colour models with k-means on OpenCV's per-thread random generator: seeded here, the same
    # clicks give the same mask on whichever server thread runs them (undo, a reloaded project, another session)
    cv2.setRNGSeed(GRABCUT_SEED)
    cv2.grabCut(image, labels, None, background_model, foreground_model, iterations, cv2.GC_INIT_WITH_MASK)
    if factor < 1.0:
        labels = cv2.resize(labels, (width, height), interpolation=cv2.INTER_NEAREST)
    return labels


def resolve(rgb: np.ndarray, trimap: np.ndarray, rule: CropRule, iterations: int, whole: bool = False) -> np.ndarray:
    """Resolve a trimap with GrabCut; ``h x w`` bool foreground.

    Args:
        rgb: ``h x w x 3`` uint8 RGB.
        trimap: ``h x w`` uint8 ``cv2.GC_*`` labels (with some foreground).
        rule: the crop around the probable object that GrabCut sees, and the pixel budget.
        iterations: GrabCut iterations.
        whole: use the whole image instead of a crop (when the probable object is only a guess, the object may
            extend well beyond it).
    """
    shape = trimap.shape
    probable = (trimap == cv2.GC_FGD) | (trimap == cv2.GC_PR_FGD)
    y0, y1, x0, x1 = (0, shape[0], 0, shape[1]) if whole else _crop(probable, rule)
    labels = np.ascontiguousarray(trimap[y0:y1, x0:x1])
    undecided = (labels == cv2.GC_PR_BGD) | (labels == cv2.GC_PR_FGD)
    if undecided.any() and ((labels == cv2.GC_BGD) | (labels == cv2.GC_PR_BGD)).any():
        labels = _grabcut_crop(np.ascontiguousarray(rgb[y0:y1, x0:x1]), labels, rule.max_pixels, iterations)
    result = np.zeros(shape, bool)
    result[y0:y1, x0:x1] = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    return result
