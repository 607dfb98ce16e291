"""Motion cues between frame 0 and frame 1 for the fallback segmenter (no learned weights).

* The **background motion** is one similarity transform (pan, zoom, roll) fitted with RANSAC to DIS optical flow;
  the flow **relative** to it says how, and how much, each pixel moves on its own (``follows``).
* A **residual map** says, per frame-0 pixel, how different frame 1 looks where a motion model sends that pixel;
  ``explained`` turns it into "this motion explains this pixel" in [0, 1].
* A **robust shift search** finds the translation of the clicked thing by counting how many of the pixels around the
  click (weighted by colour similarity to the click) find their colour again in frame 1 — a count, not a sum of
  squared errors, so the parts of an object that are hidden in frame 1 cannot outvote the parts that are visible.

Images here are working-size ``h x w x 3`` float32 CIELAB arrays (OpenCV's 8-bit Lab scale, each channel in
[0, 255]); coordinate maps are ``h x w`` float32 (frame-1 x and y for each frame-0 pixel).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: RANSAC inlier threshold (working pixels) for the background similarity transform.
_RANSAC_PX = 1.0
#: Flow is sampled on this grid step (working pixels) for the RANSAC fit.
_FLOW_STEP = 4
#: Each coarse peak of the shift search is refined over +-this many working pixels.
_REFINE = 3
#: Residuals come from frame 1 sampled this far outside the image (NaN there).
_OUTSIDE = -1.0e4


def grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates ``(xs, ys)``, each ``h x w`` float32."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs, ys


def dense_flow(gray0: np.ndarray, gray1: np.ndarray) -> np.ndarray:
    """DIS optical flow from frame 0 to frame 1: ``h x w x 2`` float32 (x, y) in pixels.

    Args:
        gray0, gray1: ``h x w`` uint8 grey frames.
    """
    return cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM).calc(gray0, gray1, None)


def background_affine(flow: np.ndarray) -> np.ndarray:
    """The dominant motion of a flow field as a ``2 x 3`` similarity matrix (identity when none fits).

    Args:
        flow: ``h x w x 2`` float32 flow from frame 0 to frame 1 (``dense_flow``).
    """
    xs, ys = grid(*flow.shape[:2])
    src = np.stack([xs[::_FLOW_STEP, ::_FLOW_STEP].ravel(), ys[::_FLOW_STEP, ::_FLOW_STEP].ravel()], axis=1)
    dst = src + flow[::_FLOW_STEP, ::_FLOW_STEP].reshape(-1, 2)
    affine, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=_RANSAC_PX)
    if affine is None:
        return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    return affine


def relative_flow(flow: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """Each pixel's motion relative to the background: ``flow`` minus where the background motion (``map_x``,
    ``map_y``, from ``affine_maps``) sends it; ``h x w x 2`` float32, pixels."""
    xs, ys = grid(*flow.shape[:2])
    return np.stack([xs + flow[..., 0] - map_x, ys + flow[..., 1] - map_y], axis=-1).astype(np.float32)


def follows(relative: np.ndarray, motion: np.ndarray) -> np.ndarray:
    """How much each pixel moves like ``motion`` rather than like the background, ``h x w`` float32 in [0, 1].

    ``d_bg^2 / (d_bg^2 + d_m^2)`` with ``d_bg`` a pixel's distance to the background motion (``|relative|``) and
    ``d_m`` its distance to ``motion`` (a relative ``(dx, dy)``): 0.5 where it is equally close to both, so a
    deforming object (a turning head, a swinging arm) still counts as long as it is nearer its own motion.
    """
    to_background = np.sum(np.square(relative), axis=-1)
    to_motion = np.sum(np.square(relative - motion.astype(np.float32)), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = to_background / (to_background + to_motion)
    return np.nan_to_num(value, nan=0.0).astype(np.float32)


def affine_maps(affine: np.ndarray, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Where a ``2 x 3`` affine sends each pixel: ``(map_x, map_y)``, each ``h x w`` float32."""
    xs, ys = grid(height, width)
    map_x = affine[0, 0] * xs + affine[0, 1] * ys + affine[0, 2]
    map_y = affine[1, 0] * xs + affine[1, 1] * ys + affine[1, 2]
    return map_x.astype(np.float32), map_y.astype(np.float32)


def residual(lab0: np.ndarray, lab1: np.ndarray, map_x: np.ndarray, map_y: np.ndarray, blur: float) -> np.ndarray:
    """Colour difference between frame 0 and frame 1 sampled at ``(map_x, map_y)``, Gaussian-smoothed.

    Returns ``h x w`` float32 (Lab units), NaN where the map leaves frame 1 for most of the smoothing window.
    """
    warped = cv2.remap(
        lab1, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(_OUTSIDE,) * 3
    )
    difference = np.linalg.norm(lab0 - warped, axis=2)
    outside = difference > -_OUTSIDE / 10
    difference[outside] = 0.0
    valid = cv2.GaussianBlur((~outside).astype(np.float32), (0, 0), blur)
    smoothed = cv2.GaussianBlur(difference, (0, 0), blur)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(valid > 0.2, smoothed / valid, np.nan).astype(np.float32)


def explained(residual_map: np.ndarray, tau: float) -> np.ndarray:
    """``exp(-(r / tau)^2)``: 1 where a motion explains a pixel, 0 where it does not or where nothing is known."""
    with np.errstate(invalid="ignore"):
        value = np.exp(-np.square(residual_map / tau))
    return np.nan_to_num(value, nan=0.0).astype(np.float32)


def shift_residual(lab0: np.ndarray, lab1: np.ndarray, shift: np.ndarray, blur: float) -> np.ndarray:
    """``residual`` for a pure translation ``shift`` = ``(dx, dy)`` in working pixels."""
    xs, ys = grid(*lab0.shape[:2])
    return residual(lab0, lab1, xs + np.float32(shift[0]), ys + np.float32(shift[1]), blur)


@dataclass(frozen=True)
class ShiftCandidate:
    """A translation ``(dx, dy)`` and its robust score (weighted fraction of sampled pixels it explains)."""

    shift: np.ndarray
    score: float


#: Sampled pixels: ``(ys, xs, weights)``.
Samples = tuple[np.ndarray, np.ndarray, np.ndarray]


def _samples(weights: np.ndarray, count: int, floor: float) -> Samples:
    """The ``count`` pixels with the largest weights above ``floor``: ``(ys, xs, weights)``."""
    ys, xs = np.nonzero(weights > floor)
    values = weights[ys, xs]
    if values.size > count:
        keep = np.argpartition(values, values.size - count)[-count:]
        ys, xs, values = ys[keep], xs[keep], values[keep]
    return ys, xs, values.astype(np.float32)


def _inlier_scores(
    lab0: np.ndarray, lab1: np.ndarray, samples: Samples, shifts: np.ndarray, tau: float, smooth: bool
) -> np.ndarray:
    """For each integer shift (``S x 2``, dx dy), the weighted count of samples whose colour matches in frame 1.

    ``smooth`` counts ``exp(-d^2 / tau^2)`` instead of ``d < tau`` (slower; a peak that sub-pixel fitting can use).
    """
    ys, xs, weights = samples
    pad = int(np.abs(shifts).max()) + 1
    width = lab1.shape[1]
    padded_width = width + 2 * pad
    flat = (ys + pad) * padded_width + (xs + pad)
    index = flat[None, :] + (shifts[:, 1] * padded_width + shifts[:, 0])[:, None]
    distance = np.zeros(index.shape, np.float32)
    for channel in range(3):
        plane = np.pad(lab1[..., channel], pad, constant_values=_OUTSIDE).ravel()
        diff = plane[index] - lab0[ys, xs, channel][None, :]
        distance += diff * diff
    if smooth:
        return np.exp(-distance / (tau * tau)) @ weights
    return (distance < tau * tau).astype(np.float32) @ weights


def _parabola_peak(left: float, centre: float, right: float) -> float:
    """Sub-pixel offset in [-0.5, 0.5] of a peak at ``centre`` from its two neighbours."""
    curvature = left - 2.0 * centre + right
    if curvature >= 0:
        return 0.0
    return float(np.clip(0.5 * (left - right) / curvature, -0.5, 0.5))


def search_shift(
    lab0: np.ndarray,
    lab1: np.ndarray,
    weights: np.ndarray,
    max_shift: int,
    tau: float,
    samples: int = 192,
    peaks: int = 4,
) -> list[ShiftCandidate]:
    """Candidate translations of the weighted region, best first.

    A coarse exhaustive search at half size over ``[-max_shift, max_shift]^2`` keeps ``peaks`` separate maxima;
    each is refined at full working size over +-3 pixels with a parabolic sub-pixel fit.

    Args:
        lab0, lab1: ``h x w x 3`` float32 Lab frames.
        weights: ``h x w`` float32 in [0, 1], how much each frame-0 pixel belongs to the clicked thing.
        max_shift: largest motion searched, in working pixels.
        tau: colour distance (Lab units) under which a pixel counts as found again.
        samples: pixels sampled (the heaviest) at each level.
        peaks: coarse maxima refined.
    """
    height, width = weights.shape
    half = (max(1, width // 2), max(1, height // 2))
    coarse = _samples(cv2.resize(weights, half, interpolation=cv2.INTER_AREA), samples, 0.02)
    if coarse[2].size == 0 or coarse[2].sum() <= 0:
        return []
    reach = max(1, max_shift // 2)
    offsets = np.arange(-reach, reach + 1)
    shifts = np.stack(np.meshgrid(offsets, offsets, indexing="xy"), axis=-1).reshape(-1, 2)
    lab0_half = cv2.resize(lab0, half, interpolation=cv2.INTER_AREA)
    lab1_half = cv2.resize(lab1, half, interpolation=cv2.INTER_AREA)
    scores = _inlier_scores(lab0_half, lab1_half, coarse, shifts, tau, smooth=False).reshape(offsets.size, offsets.size)
    fine = _samples(weights, 2 * samples, 0.02)
    total = float(fine[2].sum())
    span = np.arange(-_REFINE, _REFINE + 1)
    local = np.stack(np.meshgrid(span, span, indexing="xy"), axis=-1).reshape(-1, 2)
    found: list[ShiftCandidate] = []
    for _ in range(peaks):
        row, col = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if scores[row, col] <= 0:
            break
        scores[max(0, row - 2) : row + 3, max(0, col - 2) : col + 3] = -1.0
        centre = np.array([2 * offsets[col], 2 * offsets[row]])
        window = _inlier_scores(lab0, lab1, fine, local + centre, tau, smooth=True).reshape(span.size, span.size)
        r, c = np.unravel_index(int(np.argmax(window)), window.shape)
        last = span.size - 1
        dx = _parabola_peak(window[r, c - 1], window[r, c], window[r, c + 1]) if 0 < c < last else 0.0
        dy = _parabola_peak(window[r - 1, c], window[r, c], window[r + 1, c]) if 0 < r < last else 0.0
        shift = np.array([centre[0] + span[c] + dx, centre[1] + span[r] + dy], np.float32)
        if all(np.abs(shift - other.shift).max() > 0.5 for other in found):
            found.append(ShiftCandidate(shift, float(window[r, c]) / total if total > 0 else 0.0))
    return sorted(found, key=lambda candidate: -candidate.score)
