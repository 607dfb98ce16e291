"""Layered splatting: every object and the background move along the pair's flow by their own distance.

Pure NumPy. Frames are ``H x W x 3`` float in [0, 1]; label maps are ``H x W`` int (-1 background, i = object i,
topmost wins); flows are ``2 x H x W`` pixels (``flow01`` on frame 0's grid, ``flow10`` on frame 1's grid).

For a layer at distance ``d``, frame 0's pixels of that layer are splatted forward by ``d * flow01`` and frame 1's
by ``(1 - d) * flow10``; the two are blended with weights ``1 - d`` and ``d`` (each alone where the other does not
reach). At ``d = 0`` an object is exactly where frame 0 shows it, so frame 1's view of it (carried by an imperfect
flow) only fills pixels frame 0 shows as some object, never frame 0's background (likewise at ``d = 1``). Layers are
composited in z-order (background, then objects in list order); whatever no layer covers (background hidden in both
frames) is inpainted from its surroundings.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from interp.core.distance_maps import label_map
from interp.core.forward_warp import round_trip_error, splat, splat_mask
from interp.core.images import to_uint8

_EPS = 1e-6
#: A frame's weight never drops below this, so it still fills what the other frame does not show.
_MIN_SOURCE_WEIGHT = 1e-3
#: How far (pixels) an object's frame-1 region may grow into pixels that move with it.
GROW_PX = 6
#: Width (pixels) of the band along layer boundaries whose flow is replaced by the layer's own.
BOUNDARY_BAND_PX = 4
#: Pixels with less total layer coverage than this are holes, filled by inpainting.
HOLE_COVERAGE = 0.5


def _came_from(mask: np.ndarray, flow10: np.ndarray) -> np.ndarray:
    """Frame-1 pixels whose flow back to frame 0 lands inside ``mask`` (nearest pixel)."""
    height, width = mask.shape
    ys, xs = np.mgrid[0:height, 0:width]
    sx = np.rint(xs + flow10[0]).astype(np.int64)
    sy = np.rint(ys + flow10[1]).astype(np.int64)
    inside = (sx >= 0) & (sx < width) & (sy >= 0) & (sy < height)
    hit = np.zeros_like(mask)
    hit[inside] = mask[sy[inside], sx[inside]]
    return hit


def frame1_labels(masks0: Sequence[np.ndarray], flow01: np.ndarray, flow10: np.ndarray | None = None) -> np.ndarray:
    """Label map on frame 1's grid, z-order kept.

    Each frame-0 mask is moved along ``flow01`` (cracks closed). With ``flow10``, the moved mask also takes the
    nearby frame-1 pixels (within ``GROW_PX``) that either flow back into the frame-0 mask or move back the way
    the object does: the object's edges, and parts of it hidden in frame 0 but visible in frame 1, then belong to
    it rather than to the background.
    """
    kernel = np.ones((3, 3), np.uint8)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * GROW_PX + 1,) * 2)
    moved = []
    for mask in masks0:
        warped = cv2.morphologyEx(splat_mask(mask, flow01).astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0
        if flow10 is not None and mask.any():
            motion = np.median(flow01[:, mask], axis=1)
            tolerance = max(1.0, 0.15 * float(np.hypot(*motion)))
            consistent = np.hypot(flow10[0] + motion[0], flow10[1] + motion[1]) < tolerance
            near = cv2.dilate(warped.astype(np.uint8), disk) > 0
            warped |= near & (consistent | _came_from(mask, flow10))
        moved.append(warped)
    return label_map(moved)


def clean_layer_flows(
    flow: np.ndarray, labels: np.ndarray, unreliable: np.ndarray | None = None, band_px: int = BOUNDARY_BAND_PX
) -> np.ndarray:
    """Replace each layer's doubtful flow by values spread in from the layer's own reliable pixels.

    A network's flow is smooth across object boundaries, so the pixels of a layer next to another layer move
    partly with the neighbour; and where content is visible in only one frame (disocclusion) the flow is a guess.
    Splatted as they are, such pixels tear holes and drag fringes. Pixels within ``band_px`` of another layer, and
    ``unreliable`` ones, take the Gaussian-weighted mean flow of their own layer's remaining pixels (or the layer's
    median when none is close).

    Args:
        flow: ``2 x H x W`` flow on the grid the labels belong to.
        labels: ``H x W`` int label map (-1 background).
        unreliable: ``H x W`` bool, e.g. a failed forward-backward check (optional).
    """
    cleaned = flow.astype(np.float32).copy()
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band_px + 1,) * 2)
    sigma = 2.0 * band_px
    for label in np.unique(labels):
        own = labels == label
        doubtful = own & (cv2.dilate((~own).astype(np.uint8), kernel) > 0)
        if unreliable is not None:
            doubtful |= own & unreliable
        reliable = own & ~doubtful
        if not doubtful.any():
            continue
        if not reliable.any():
            cleaned[:, doubtful] = np.median(flow[:, own], axis=1)[:, None]
            continue
        weight = cv2.GaussianBlur(reliable.astype(np.float32), (0, 0), sigma)
        for c in range(2):
            spread = cv2.GaussianBlur(flow[c] * reliable, (0, 0), sigma) / np.maximum(weight, 1e-6)
            fallback = np.median(flow[c][reliable])
            cleaned[c][doubtful] = np.where(weight[doubtful] > 1e-4, spread[doubtful], fallback)
    return cleaned


def unreliable_flow(flow_ab: np.ndarray, flow_ba: np.ndarray) -> np.ndarray:
    """``H x W`` bool: pixels whose round trip a -> b -> a misses by more than 1 px + 10 % of the motion."""
    tolerance = 1.0 + 0.1 * np.hypot(flow_ab[0], flow_ab[1])
    return round_trip_error(flow_ab, flow_ba) > tolerance


def splat_layer(
    img0: np.ndarray,
    img1: np.ndarray,
    select0: np.ndarray,
    select1: np.ndarray,
    flow01: np.ndarray,
    flow10: np.ndarray,
    distance: float,
    confine: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One layer at ``distance``: (``H x W x 3`` colour, ``H x W`` coverage in [0, 1]).

    Where both frames reach a pixel they are blended ``1 - d`` : ``d``; where only one does, it is used alone, even
    at ``d = 0`` or ``1`` (a held background is then completed with what frame 1 shows where an object left).
    ``confine`` (``H x W`` bool, optional) bounds what the frame that is *not* shown as it is may add at ``d = 0``
    or ``1``: frame 1 at ``d = 0`` only reaches those pixels, frame 0 at ``d = 1`` likewise.
    """
    numerator = np.zeros((3, *select0.shape))
    denominator = np.zeros(select0.shape)
    coverage = np.zeros(select0.shape)
    for image, select, flow, weight, other in (
        (img0, select0, flow01 * distance, 1.0 - distance, distance == 1.0),
        (img1, select1, flow10 * (1.0 - distance), distance, distance == 0.0),
    ):
        if not select.any():
            continue
        sums, reached = splat(image.transpose(2, 0, 1), flow, select.astype(np.float64))
        if other and confine is not None:
            sums, reached = sums * confine, reached * confine
        weight = max(weight, _MIN_SOURCE_WEIGHT)
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
) -> np.ndarray:
    """Composite the background and each object at its own distance; ``H x W x 3`` float32 in [0, 1].

    Pixels no layer covers (background hidden in both frames, splatting cracks) are inpainted from their
    surroundings: on synthetic scenes this scored 34.75 dB against 34.60 dB for filling them from the network's
    map-driven render (``bench/bench_manipulation.py`` scenes), and it needs no network pass per frame.
    """
    colour_sum = np.zeros(img0.shape, dtype=np.float64)
    coverage = np.zeros(img0.shape[:2], dtype=np.float64)
    # At an end (d = 0 or 1) an object stands exactly where that frame shows it: the other frame's view of it (carried
    # by an imperfect flow) may fill what another object hid there, never pixels that frame shows as background.
    in_object = {0.0: labels0 >= 0, 1.0: labels1 >= 0}
    for label, distance in [(-1, background_distance), *enumerate(object_distances)]:
        confine = in_object.get(float(distance)) if label >= 0 else None
        colour, alpha = splat_layer(
            img0, img1, labels0 == label, labels1 == label, flow01, flow10, float(distance), confine
        )
        colour_sum = colour_sum * (1 - alpha[..., None]) + colour * alpha[..., None]
        coverage = coverage * (1 - alpha) + alpha
    covered = coverage > HOLE_COVERAGE
    out = np.zeros(img0.shape, dtype=np.float64)
    out[covered] = colour_sum[covered] / coverage[covered][:, None]
    if not covered.all():
        holes = (~covered).astype(np.uint8)
        image = to_uint8(out)
        out[~covered] = cv2.inpaint(image, holes, 3, cv2.INPAINT_TELEA)[~covered] / 255.0
    return np.clip(out, 0.0, 1.0).astype(np.float32)
