"""Compositing: each object cut from the network's frame at the object's own time, over a clean background.

Pure NumPy. Frames are ``H x W x 3`` float in [0, 1]; masks and regions ``H x W`` bool; alphas ``H x W`` float in
[0, 1]; flows ``2 x H x W`` pixels (``flow01`` on frame 0's grid, ``flow10`` on frame 1's grid, already cleaned per
layer by ``interp.core.layered.clean_layer_flows``).

Why: an interpolation network renders one *uniform* time well (it was trained for that: occlusions, deformation,
hair), but misplaces and blurs content when one map mixes distances; forward splatting places exactly but tears holes
and edges. So a manipulated frame is assembled from uniform-time network frames only:

1. the background is the network's frame at the background's distance ``d_b``;
2. where that frame shows an object that belongs elsewhere (its distance differs from ``d_b``), the object is replaced
   by a *clean plate*: the background alone at ``d_b``, in a band around it too where the frame differs from the plate
   (edges the mask missed would otherwise stay behind as a ghost). The plate trusts, in this order, what a frame
   really shows: where the background is still (frames 0 and 1 agree around the pixel), the pixels of a frame at
   another time (the input frames, or the network's frame at an object's time) that show background there; then the
   background splatted to ``d_b`` from both frames, first without and then with the pixels next to an object's mask;
   only what no frame shows is invented (inpainted, and reported). Where the background is still, the band around a
   moved object is taken from the input frame too when the network made the frame at ``d_b`` (its background there
   is bent by the object's motion);
3. every object is pasted, in z-order, from the network's frame at its own distance, along its region at that
   distance with a soft edge.

Where an object shares the background's distance nothing changes: the frame is the network's frame (a mask edge
that is not a motion edge costs nothing). An object held at ``d = 0`` is pasted from frame 0 itself, and its
position in the background's frame is replaced by background, so it leaves no ghost.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from interp.core.forward_warp import splat_mask
from interp.core.images import to_uint8
from interp.core.layered import splat_layer

#: How far (pixels) a pasted object's alpha reaches beyond its region, and the softness of that edge.
PASTE_GROW_PX = 2
EDGE_SIGMA_PX = 1.0
#: An object that stands less than this far (pixels) from its place in the background's frame is only pasted: its
#: old place is covered by its new one (an object whose distance differs from the background's by a hair).
MIN_SHIFT_PX = 0.5
#: How far (pixels) beyond an object's region at the background's time the clean plate replaces the network frame.
REMOVE_GROW_PX = 3
#: An object's own frame is rendered on a window this many pixels wider than where it moves (when that is clearly
#: smaller than the frame): the network's flow needs some context around the object.
WINDOW_MARGIN_PX = 32
#: Plate pixels with less coverage than this are holes (background hidden in both frames), filled smoothly.
PLATE_COVERAGE = 0.5
FILL_SIGMAS_PX = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
#: Invented pixels the output shows are inpainted by FSR (opencv-contrib xphoto, the fast variant: on held-out real
#: background it beat the smooth fill, Telea, Navier-Stokes and shift-map; bench/bench_inpaint.py) on a window this
#: much wider than them, when there are at most ``INPAINT_MAX_PX`` of them (FSR costs about half a millisecond per
#: missing pixel on this machine); more stay filled smoothly.
INPAINT_MARGIN_PX = 16
INPAINT_MAX_PX = 1500
#: Around an object that moved away (this many pixels), pixels of the background's frame that differ from the clean
#: plate by more than ``GHOST_DIFFERENCE`` (any channel, [0, 1] scale) are left-overs of the object: replaced too.
GHOST_BAND_PX = 10
#: Background pixels this close to an object's mask on a source frame are trusted for the clean plate only where no
#: farther ones reach.
DOUBT_BAND_PX = 4
GHOST_DIFFERENCE = 0.12
#: The background is still around a pixel when at least ``STILL_SHARE`` of the background both frames show near it
#: differs by no more than ``STILL_DIFFERENCE`` (any channel, [0, 1] scale) between them (``still_share``).
STILL_DIFFERENCE = 0.08
STILL_SHARE = 0.9
STILL_SIGMAS_PX = (8.0, 16.0, 32.0, 64.0)

_CLOSE = np.ones((3, 3), np.uint8)


def region_at(mask0: np.ndarray, mask1: np.ndarray, flow01: np.ndarray, flow10: np.ndarray, d: float) -> np.ndarray:
    """Where an object is at distance ``d``: ``H x W`` bool.

    At ``d = 0`` / ``1`` it is the object's mask on that frame (``mask0``, ``mask1``); in between, the union of the
    frame-0 mask moved by ``d * flow01`` and the frame-1 mask moved back by ``(1 - d) * flow10`` (each frame sees
    parts the other hides), cracks closed.
    """
    if d <= 0.0:
        return mask0.copy()
    if d >= 1.0:
        return mask1.copy()
    moved = splat_mask(mask0, flow01 * d) | splat_mask(mask1, flow10 * (1.0 - d))
    return cv2.morphologyEx(moved.astype(np.uint8), cv2.MORPH_CLOSE, _CLOSE) > 0


def shift_px(flow01: np.ndarray, mask0: np.ndarray, difference: float) -> float:
    """How far (pixels) an object stands from where it would be if its distance changed by ``difference``: the 95th
    percentile of its motion (``flow01`` inside ``mask0``) times ``|difference|``; 0 for an empty mask."""
    if not mask0.any() or difference == 0:
        return 0.0
    return float(np.percentile(np.hypot(flow01[0][mask0], flow01[1][mask0]), 95)) * abs(difference)


def soft_alpha(region: np.ndarray, grow_px: int, sigma: float = EDGE_SIGMA_PX) -> np.ndarray:
    """``H x W`` float32 alpha: 1 on ``region`` grown by ``grow_px`` pixels, falling off over about ``2 sigma``."""
    grown = region.astype(np.uint8)
    if grow_px > 0:
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow_px + 1,) * 2)
        grown = cv2.dilate(grown, disk)
    if sigma <= 0:
        return grown.astype(np.float32)
    soft = cv2.GaussianBlur(grown.astype(np.float32), (0, 0), sigma)
    return np.clip(np.maximum(soft, grown.astype(np.float32)), 0.0, 1.0)


def fill_from_surroundings(colour: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill pixels outside ``known`` with a Gaussian-weighted mean of known pixels, widening the Gaussian until each
    is reached (normalised convolution): a smooth, streak-free guess (for flows, or background no frame shows).

    Args:
        colour: ``H x W x C`` or ``H x W`` float.
        known: ``H x W`` bool.
    """
    out = colour.astype(np.float32).reshape(*known.shape, -1).copy()
    missing = ~known
    weights = known.astype(np.float32)
    sums = out * weights[..., None]
    for sigma in FILL_SIGMAS_PX:
        if not missing.any():
            break
        reach = cv2.GaussianBlur(weights, (0, 0), sigma)
        spread = cv2.GaussianBlur(sums, (0, 0), sigma).reshape(out.shape)
        now = missing & (reach > 1e-3)
        out[now] = spread[now] / reach[now][:, None]
        missing &= ~now
    if missing.any():  # nothing known anywhere near: the mean of what is known
        out[missing] = out[known].mean(axis=0) if known.any() else 0.5
    return out.reshape(colour.shape)


def inpaint(colour: np.ndarray, known: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``colour`` (``H x W x 3`` float in [0, 1]) with the ``wanted`` pixels (``H x W`` bool, not ``known``)
    inpainted by FSR from the ``known`` ones on a window around them (``INPAINT_MARGIN_PX``); ``colour`` as it is
    when nothing is wanted or more than ``INPAINT_MAX_PX`` pixels would be missing in that window."""
    if not wanted.any() or wanted.sum() > INPAINT_MAX_PX:
        return colour
    ys, xs = np.nonzero(wanted)
    height, width = wanted.shape
    top, left = max(0, ys.min() - INPAINT_MARGIN_PX), max(0, xs.min() - INPAINT_MARGIN_PX)
    bottom, right = min(height, ys.max() + INPAINT_MARGIN_PX + 1), min(width, xs.max() + INPAINT_MARGIN_PX + 1)
    window = (slice(top, bottom), slice(left, right))
    valid = known[window]
    if (~valid).sum() > INPAINT_MAX_PX or not valid.any():
        return colour
    source = cv2.cvtColor(to_uint8(colour[window]), cv2.COLOR_RGB2BGR)
    filled = np.zeros_like(source)
    cv2.xphoto.inpaint(source, valid.astype(np.uint8) * 255, filled, cv2.xphoto.INPAINT_FSR_FAST)
    out = colour.copy()
    part = out[window]
    part[wanted[window]] = cv2.cvtColor(filled, cv2.COLOR_BGR2RGB)[wanted[window]].astype(np.float32) / 255.0
    return out


def still_share(img0: np.ndarray, img1: np.ndarray, background0: np.ndarray, background1: np.ndarray) -> np.ndarray:
    """``H x W`` in [0, 1]: around each pixel, the share of the background both frames show that looks the same in
    both (no channel differs by more than ``STILL_DIFFERENCE``), a Gaussian-weighted share widened (``STILL_SIGMAS_PX``)
    until it reaches such pixels; 0 where none is reached.

    Where the background does not move (a fixed or registered camera) frames 0 and 1 agree, and a frame at any time
    shows it as it is at every other; where it moves they differ wherever it has texture, and where it has none the
    frames are interchangeable anyway. Measured on the images, not the flow: a network's flow on textureless
    background next to a large moving object moves with the object.
    """
    both = (background0 & background1).astype(np.float32)
    agree = both * (np.abs(img0 - img1).max(axis=2) <= STILL_DIFFERENCE)
    share = np.zeros(both.shape, np.float32)
    todo = np.ones(both.shape, bool)
    for sigma in STILL_SIGMAS_PX:
        reach = cv2.GaussianBlur(both, (0, 0), sigma)
        now = todo & (reach > 0.05)
        share[now] = cv2.GaussianBlur(agree, (0, 0), sigma)[now] / reach[now]
        todo &= ~now
        if not todo.any():
            break
    return share


def still_background(
    views: Sequence[tuple[float, np.ndarray, np.ndarray]], still: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray]:
    """The background at ``distance`` wherever some frame shows it and it is still: (``H x W x 3`` colour, ``H x W``
    bool known).

    Args:
        views: ``(time, frame, shows)``: a frame (``H x W x 3``) at a uniform time and where it shows background
            (``H x W`` bool); the frame nearest ``distance`` in time is preferred.
        still: ``H x W`` bool, where the background is still (``still_share`` at least ``STILL_SHARE``): there a
            view shows the background exactly as it is at ``distance``.
        distance: the background's distance.
    """
    colour = np.zeros((*still.shape, 3), np.float32)
    known = np.zeros(still.shape, bool)
    for _, frame, shows in sorted(views, key=lambda view: abs(view[0] - distance)):
        take = shows & ~known & still
        colour[take] = frame[take]
        known |= take
    return colour, known


def object_vicinity(
    near: Sequence[np.ndarray], views: Sequence[tuple[np.ndarray, np.ndarray]], still: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Around moved objects, the frame at each one's own time: (``H x W x 3`` colour, ``H x W`` bool known).

    Args:
        near: per moved object (z-order), ``H x W`` bool: around where it stands, in the output and in the frame
            at the background's distance.
        views: per moved object, the frame at its distance (``H x W x 3``) and where that frame shows background
            (``H x W`` bool; the object's own region left out, its edges a mask missed kept).
        still: ``H x W`` bool, where the background is still.

    Where the background is still, the frame at an object's time shows the background as it is at any time, and
    whatever of the object its mask missed (a hand, hair) where the object is at that time: a mask edge that is not
    a motion edge then costs nothing. The topmost object wins where two are near.
    """
    colour = np.zeros((*still.shape, 3), np.float32)
    known = np.zeros(still.shape, bool)
    for region, (frame, shows) in zip(reversed(near), reversed(views), strict=True):
        take = region & shows & still & ~known
        colour[take] = frame[take]
        known |= take
    return colour, known


def clean_plate(
    img0: np.ndarray,
    img1: np.ndarray,
    background0: np.ndarray,
    background1: np.ndarray,
    doubtful0: np.ndarray,
    doubtful1: np.ndarray,
    flow01: np.ndarray,
    flow10: np.ndarray,
    d: float,
    still: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The background alone at distance ``d``: (``H x W x 3`` float32 colour, ``H x W`` bool: seen in a frame).

    ``background0`` / ``background1`` (``H x W`` bool) say which pixels of each frame are background;
    ``doubtful0`` / ``doubtful1`` mark background pixels next to an object's mask, which may be the object's own
    edge (hair, a shoulder the mask missed). ``still`` (colour, known; from ``still_background``) is taken as it
    is where known. Elsewhere the background is splatted to ``d`` from both frames without the doubtful pixels, then,
    where that reaches nothing, with them (a pixel a frame shows beats any guess). What no frame shows is not seen,
    filled by ``fill_from_surroundings``: a blur, never a sharp copy of an edge.
    """
    colour, coverage = splat_layer(img0, img1, background0 & ~doubtful0, background1 & ~doubtful1, flow01, flow10, d)
    seen = coverage >= PLATE_COVERAGE
    if still is not None:
        colour[still[1]] = still[0][still[1]]
        seen |= still[1]
    if not seen.all() and (doubtful0.any() or doubtful1.any()):
        loose, reach = splat_layer(img0, img1, background0, background1, flow01, flow10, d)
        more = ~seen & (reach >= PLATE_COVERAGE)
        colour[more] = loose[more]
        seen |= more
    return fill_from_surroundings(colour, seen), seen


def ghost_region(base: np.ndarray, plate: np.ndarray, seen: np.ndarray, near: np.ndarray) -> np.ndarray:
    """``H x W`` bool: pixels ``near`` a moved object where the network's frame differs from the clean plate
    (what is left of the object there: edges its mask missed), and the plate is seen background."""
    difference = np.abs(base - plate).max(axis=2) > GHOST_DIFFERENCE
    found = near & seen & difference
    return cv2.morphologyEx(found.astype(np.uint8), cv2.MORPH_OPEN, _CLOSE) > 0


def paste_window(canvas: np.ndarray, part: np.ndarray, top: int, left: int) -> np.ndarray:
    """A copy of ``canvas`` (``H x W x C``) with ``part`` (``h x w x C``) written with its top-left pixel at
    ``(top, left)``; whatever of ``part`` lies outside the canvas is dropped."""
    out = canvas.copy()
    height, width = canvas.shape[:2]
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(height, top + part.shape[0]), min(width, left + part.shape[1])
    if y1 > y0 and x1 > x0:
        out[y0:y1, x0:x1] = part[y0 - top : y1 - top, x0 - left : x1 - left]
    return out


def composite(
    base: np.ndarray,
    plate: np.ndarray | None,
    remove: np.ndarray,
    layers: Sequence[tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    """``base`` with ``plate`` blended in by ``remove``, then each ``(image, alpha)`` layer over it in order.

    Args:
        base: the network's frame at the background's distance.
        plate: the clean background (``None`` when ``remove`` is all zero).
        remove: ``H x W`` alpha of the plate.
        layers: per object, the network's frame at its distance and its alpha there, in z-order.

    Returns:
        ``H x W x 3`` float32 in [0, 1].
    """
    out = base.astype(np.float32).copy()
    if plate is not None:
        out += remove[..., None] * (plate - out)
    for image, alpha in layers:
        out += alpha[..., None] * (image - out)
    return np.clip(out, 0.0, 1.0)
