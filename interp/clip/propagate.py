"""One step of following an object from a frame to the next: pure functions on working-size arrays.

The mask is carried as a soft map (``h x w`` float32 in [0, 1]). A step:
1. moves it with the dense optical flow (DIS) from the new frame back to the previous one; where that flow fails
   its forward-backward check (occlusions, fast blurred motion), the object's own rigid motion (a similarity fitted
   with RANSAC to the flow inside the mask) moves it instead;
2. blurs the moved mask into a spatial prior, and weighs it against a colour model of the object and of the
   background around it (histograms from the frame the object was given on, mixed with the last frame's);
3. keeps the result within a band around the moved mask, snaps it to the image's edges with a graph cut (a min cut
   that is cheap between unlike colours), and smooths it with a guided filter for the next step.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import maxflow
import numpy as np

from interp.errors import InputError


@dataclass(frozen=True)
class TrackParams:
    """The tracker's settings (defaults measured on DAVIS clips; see ``bench/bench_track.py``)."""

    prior_weight: float = 1.2  # weight of the moved mask's logit against the colour model's
    colour_weight: float = 1.0
    band: float = 0.08  # how far (times sqrt(object area)) the mask may grow past the moved mask
    blur: float = 0.02  # the prior's blur (times sqrt(object area)): the motion's uncertainty
    anchor_mix: float = 0.8  # share of the given frame's colour model (the rest: the last frame's)
    bins: int = 16  # colour histogram bins per channel
    guide_radius: int = 4  # guided filter radius (px at the working size)
    guide_eps: float = 1e-2
    fb_threshold: float = 1.5  # forward-backward flow error (px) above which the rigid motion takes over
    threshold: float = 0.5  # soft mask -> mask
    roi_reach: float = 0.75  # work within the object's box grown by this times sqrt(area) (0: the whole frame)
    cut_weight: float = 3.0  # graph cut: weight of the edge-aware smoothness term (0: no graph cut)

    def __post_init__(self) -> None:
        if not 2 <= self.bins <= 64:
            raise InputError(f"bins must be 2 to 64, got {self.bins!r}")
        if not 0.0 <= self.anchor_mix <= 1.0:
            raise InputError(f"anchor_mix must be in [0, 1], got {self.anchor_mix!r}")
        if not 0.0 < self.threshold < 1.0:
            raise InputError(f"threshold must be in (0, 1), got {self.threshold!r}")


@dataclass
class ObjectState:
    """What is carried from frame to frame: the soft mask and the colour models (normalised histograms)."""

    soft: np.ndarray  # h x w float32 in [0, 1]
    anchor_fg: np.ndarray  # bins**3 float64, sums to 1: the object's colours on the frame it was given on
    anchor_bg: np.ndarray  # the same for the background around it
    recent_fg: np.ndarray
    recent_bg: np.ndarray


def flow_engine() -> cv2.DISOpticalFlow:
    """A DIS optical flow estimator (OpenCV's medium preset: about 10 ms for a 480x270 pair on one core)."""
    return cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)


def dense_flow(engine: cv2.DISOpticalFlow, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``h x w x 2`` float32 flow from ``source`` to ``target`` (RGB uint8): ``source(p) ~ target(p + flow(p))``."""
    gray_source = cv2.cvtColor(source, cv2.COLOR_RGB2GRAY)
    gray_target = cv2.cvtColor(target, cv2.COLOR_RGB2GRAY)
    return engine.calc(gray_source, gray_target, None)


def backward_warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """``image`` sampled at ``p + flow(p)`` (bilinear; 0 outside): ``h x w`` or ``h x w x C`` float32."""
    h, w = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(
        image.astype(np.float32), grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=0,
    )  # fmt: skip


def flow_failure(flow_back: np.ndarray, flow_forward: np.ndarray, threshold: float) -> np.ndarray:
    """Where the flow cannot be trusted, softly: ``h x w`` float32 in [0, 1].

    ``flow_back`` goes from the new frame to the previous one, ``flow_forward`` the other way; a pixel whose round
    trip misses by more than ``threshold`` px failed (occluded, or matched wrongly).
    """
    round_trip = flow_back + backward_warp(flow_forward, flow_back)
    failed = (np.linalg.norm(round_trip, axis=2) > threshold).astype(np.float32)
    return cv2.GaussianBlur(failed, (0, 0), 3.0)


def rigid_motion(soft: np.ndarray, flow_forward: np.ndarray, samples: int = 2000) -> np.ndarray | None:
    """The 2x3 similarity that moves the object (``soft > 0.5``) from the previous frame to the new one, fitted
    with RANSAC to the forward flow inside it; ``None`` when the object is too small or no fit is found."""
    ys, xs = np.nonzero(soft > 0.5)
    if len(xs) < 20:
        return None
    if len(xs) > samples:
        keep = np.random.default_rng(0).choice(len(xs), samples, replace=False)
        xs, ys = xs[keep], ys[keep]
    source = np.stack([xs, ys], axis=1).astype(np.float32)
    target = source + flow_forward[ys, xs]
    matrix, _ = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=2.0)
    return matrix


def colour_index(frame: np.ndarray, bins: int) -> np.ndarray:
    """``h x w`` int64: each pixel's colour histogram bin (``bins`` per channel, after a 3x3 blur)."""
    quantised = cv2.GaussianBlur(frame, (3, 3), 0).astype(np.int64) * bins // 256
    return (quantised[..., 0] * bins + quantised[..., 1]) * bins + quantised[..., 2]


def around(mask: np.ndarray, reach: float) -> np.ndarray:
    """``mask`` (bool) grown by ``reach`` times the square root of its area (at least 4 px): ``h x w`` bool."""
    radius = int(max(4.0, reach * np.sqrt(max(float(mask.sum()), 1.0))))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask.astype(np.uint8), kernel) > 0


def colour_models(index: np.ndarray, soft: np.ndarray, bins: int, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Normalised colour histograms of the object (weighted by ``soft``) and of the background near it."""
    near = around(soft > 0.5, reach).astype(np.float64)
    size = bins**3
    fg = np.bincount(index.ravel(), weights=soft.ravel().astype(np.float64), minlength=size) + 1e-3
    bg = np.bincount(index.ravel(), weights=((1.0 - soft) * near).ravel(), minlength=size) + 1e-3
    return fg / fg.sum(), bg / bg.sum()


def start_state(frame: np.ndarray, mask: np.ndarray, params: TrackParams) -> ObjectState:
    """The state on the frame the object is given on (``mask``: ``h x w`` bool or [0, 1] at the working size)."""
    soft = np.clip(mask.astype(np.float32), 0.0, 1.0)
    fg, bg = colour_models(colour_index(frame, params.bins), soft, params.bins, params.band)
    return ObjectState(soft, fg, bg, fg, bg)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-3, 1.0 - 1e-3)
    return np.log(p / (1.0 - p))


def graph_cut(frame: np.ndarray, posterior: np.ndarray, region: np.ndarray, weight: float) -> np.ndarray:
    """The labelling that best trades ``posterior`` (``h x w`` in [0, 1]) against cutting between like-coloured
    neighbours (a 4-connected min cut inside ``region``'s box; outside it, background): ``h x w`` bool."""
    out = np.zeros(posterior.shape, dtype=bool)
    ys, xs = np.nonzero(region)
    if len(xs) == 0:
        return out
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    image = frame[y0:y1, x0:x1].astype(np.float32)
    p = np.clip(posterior[y0:y1, x0:x1], 1e-4, 1.0 - 1e-4)
    right = np.zeros(p.shape, np.float32)
    down = np.zeros(p.shape, np.float32)
    right[:, :-1] = ((image[:, 1:] - image[:, :-1]) ** 2).sum(axis=2)
    down[:-1] = ((image[1:] - image[:-1]) ** 2).sum(axis=2)
    beta = 1.0 / (2.0 * max(float(np.concatenate([right[:, :-1].ravel(), down[:-1].ravel()]).mean()), 1e-6))
    graph = maxflow.Graph[float]()
    nodes = graph.add_grid_nodes(p.shape)
    horizontal = np.array([[0, 0, 0], [0, 0, 1], [0, 0, 0]])
    vertical = np.array([[0, 0, 0], [0, 0, 0], [0, 1, 0]])
    graph.add_grid_edges(nodes, weights=weight * np.exp(-beta * right), structure=horizontal, symmetric=True)
    graph.add_grid_edges(nodes, weights=weight * np.exp(-beta * down), structure=vertical, symmetric=True)
    graph.add_grid_tedges(nodes, -np.log(1.0 - p), -np.log(p))
    graph.maxflow()
    out[y0:y1, x0:x1] = ~graph.get_grid_segments(nodes)
    return out


def region_of_interest(soft: np.ndarray, reach: float) -> tuple[slice, slice]:
    """The box around the object (``soft > 0.05``) grown by ``reach`` times the square root of its area (at least
    32 px) on every side, clipped to the frame: where it can be on the next frame. The whole frame when it is empty."""
    ys, xs = np.nonzero(soft > 0.05)
    if len(xs) == 0:
        return slice(0, soft.shape[0]), slice(0, soft.shape[1])
    margin = int(max(32.0, reach * np.sqrt(len(xs))))
    h, w = soft.shape
    return (
        slice(max(0, ys.min() - margin), min(h, ys.max() + 1 + margin)),
        slice(max(0, xs.min() - margin), min(w, xs.max() + 1 + margin)),
    )


def step(
    state: ObjectState, previous: np.ndarray, frame: np.ndarray, engine: cv2.DISOpticalFlow, params: TrackParams
) -> ObjectState:
    """Follow the object from ``previous`` to ``frame`` (working-size RGB uint8); the new state's ``soft`` is its
    mask on ``frame``. The work is done in the region the object can reach (``region_of_interest``)."""
    if params.roi_reach <= 0:
        return _step(state, previous, frame, engine, params)
    rows, cols = region_of_interest(state.soft, params.roi_reach)
    inner = ObjectState(state.soft[rows, cols], state.anchor_fg, state.anchor_bg, state.recent_fg, state.recent_bg)
    found = _step(inner, previous[rows, cols], frame[rows, cols], engine, params)
    soft = np.zeros_like(state.soft)
    soft[rows, cols] = found.soft
    return ObjectState(soft, found.anchor_fg, found.anchor_bg, found.recent_fg, found.recent_bg)


def _step(
    state: ObjectState, previous: np.ndarray, frame: np.ndarray, engine: cv2.DISOpticalFlow, params: TrackParams
) -> ObjectState:
    flow_back = dense_flow(engine, frame, previous)
    moved = backward_warp(state.soft, flow_back)
    flow_forward = dense_flow(engine, previous, frame)
    matrix = rigid_motion(state.soft, flow_forward)
    if matrix is not None:
        h, w = moved.shape
        rigid = cv2.warpAffine(state.soft, matrix, (w, h), flags=cv2.INTER_LINEAR)
        failed = flow_failure(flow_back, flow_forward, params.fb_threshold)
        moved = (1.0 - failed) * moved + failed * rigid
    area = max(float(moved.sum()), 1.0)
    prior = cv2.GaussianBlur(moved, (0, 0), max(0.5, params.blur * np.sqrt(area)))
    index = colour_index(frame, params.bins)
    mix = params.anchor_mix
    fg = mix * state.anchor_fg + (1.0 - mix) * state.recent_fg
    bg = mix * state.anchor_bg + (1.0 - mix) * state.recent_bg
    likelihood = fg[index] / (fg[index] + bg[index])
    evidence = params.prior_weight * _logit(prior) + params.colour_weight * _logit(likelihood)
    posterior = (1.0 / (1.0 + np.exp(-evidence))) * around(moved > 0.5, params.band)
    guide = frame.astype(np.float32) / 255.0
    if params.cut_weight > 0:
        posterior = graph_cut(frame, posterior, around(moved > 0.5, params.band), params.cut_weight).astype(np.float32)
    soft = cv2.ximgproc.guidedFilter(guide, posterior.astype(np.float32), params.guide_radius, params.guide_eps)
    soft = np.nan_to_num(np.clip(soft, 0.0, 1.0)).astype(np.float32)
    recent_fg, recent_bg = colour_models(index, (soft > params.threshold).astype(np.float32), params.bins, params.band)
    return ObjectState(soft, state.anchor_fg, state.anchor_bg, recent_fg, recent_bg)
