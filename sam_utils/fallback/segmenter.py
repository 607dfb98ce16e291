"""The weight-free click segmenter: colour and the motion between frame 0 and frame 1.

How one click becomes a mask (all at a working size whose long side is ``FallbackParams.work_size``):

1. Per frame pair, once (``precompute``): Lab colour of both frames, DIS optical flow, the background motion (a
   similarity transform fitted to that flow) with a map of the pixels it explains, and the flow relative to it.
2. Per positive click: a colour model of the click's neighbourhood weights the pixels around it; a robust search
   finds the translation that re-finds most of them in frame 1 (``motion.search_shift``). Pixels that this motion
   explains and the background motion does not are the object for sure; pixels the background motion explains are
   background for sure. Where the optical flow at the click disagrees with that translation and explains the
   click's colours about as well (a face that turns while it moves, a texture that repeats), the flow wins: the
   object is then what moves more like the click than like the background (``motion.follows``). Without a usable
   motion (one frame, a static object, an object hidden in frame 1) the pixels of similar colour connected to the
   click are the probable object instead.
3. Negative clicks add background; a negative click on something a positive click's motion claimed takes
   that part back. GrabCut (colour models plus contrast-sensitive smoothing) decides the uncertain pixels in a crop
   around the probable object (the whole image when the probable object is only a colour guess); the result is
   upsampled, reduced to the parts connected to the positive clicks, and its small holes are filled.

A box takes its own path (``sam_utils.fallback.box``, at a larger working size): GrabCut in the box with the motion
cue, guarded against collapsing, clicks as seeds.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from interp.core.lru import LRUCache
from sam_utils import masks
from sam_utils.cache import image_key
from sam_utils.fallback import grabcut, motion
from sam_utils.fallback.box import DEFAULT_BOX_PARAMS, BoxParams, box_segment
from sam_utils.prompts import Backend, Box, Click, SegmentResult, check_pair, check_prompts


@dataclass(frozen=True)
class FallbackParams:
    """Every tunable of the fallback, in one place (tuned on synthetic scenes with seeds 1000-1039, checked on
    2000-2039, and by eye on the shared demo and UCF101 frames)."""

    work_size: int = 256  # long side of the working resolution, pixels
    blur: float = 1.0  # Gaussian sigma applied to both frames before Lab conversion
    residual_blur: float = 1.5  # sigma smoothing residual maps
    tau: float = 8.0  # residual (Lab units) at which a motion "explains" a pixel with exp(-1)
    search_tau: float = 12.0  # colour distance under which the shift search counts a pixel as re-found
    max_motion: float = 0.15  # largest motion searched, as a fraction of the working long side
    explained_at: float = 0.6  # explained above this: the motion accounts for the pixel
    unexplained_at: float = 0.2  # explained below this: it does not
    min_fit: float = 0.1  # weighted fraction of sampled pixels a click's motion must explain to be used
    colour_radius: int = 6  # half side of the neighbourhood whose colours model a click (working pixels)
    colour_reg: float = 4.0  # added to the colour covariance (Lab units squared)
    colour_scale: float = 2.0  # Mahalanobis distance at which colour similarity is exp(-1/2)
    colour_region_at: float = 3.0  # Mahalanobis distance bounding the probable object in colour-only mode …
    colour_region_lab: float = 12.0  # … or this Lab distance to the click's mean colour …
    colour_reach: float = 2.0  # … and within this many times ``reach`` of the click
    reach: float = 25.0  # Gaussian sigma (working pixels) of the neighbourhood weighted around a click
    min_component: int = 10  # pixels of the click's neighbourhood that tie an explained component to the click
    min_sure: int = 40  # a motion must make at least this many working pixels sure foreground to be used
    min_flow: float = 2.0  # dense-flow cue: the click must move at least this much against the background (working px)
    flow_sure: float = 0.85  # dense-flow cue: ``motion.follows`` above this (eroded) is sure foreground
    flow_erode: int = 2  # dense-flow cue: the sure core keeps this far (working px) from the region's edges
    flow_agree: float = 0.25  # a translation and the flow at the click agree within this fraction of the …
    flow_agree_px: float = 2.0  # … translation's motion against the background, or this many working px
    flow_margin: float = 0.05  # when they disagree, the flow wins if it explains the click's colours this nearly
    seed_radius: int = 3  # half side of the sure-foreground (or sure-background) square at each click
    grabcut_iters: int = 2
    grabcut_pixels: int = 20000  # larger GrabCut crops are downscaled to this many pixels (latency bound)
    crop_margin: float = 0.5  # GrabCut crop: the probable object's box grown by this fraction of its size …
    crop_margin_px: int = 24  # … or by at least this many working pixels
    max_hole: float = 0.02  # holes up to this fraction of the image are filled
    cache_size: int = 8  # frame pairs whose features are kept


DEFAULT_PARAMS = FallbackParams()


@dataclass(frozen=True, eq=False)
class PairFeatures:
    """The per-pair precomputation (``precompute``), at working size ``h x w``.

    Attributes:
        size: full-resolution ``(H, W)``.
        scale: working size / full size.
        rgb: ``h x w x 3`` uint8 RGB frame 0 (GrabCut's input).
        lab0, lab1: ``h x w x 3`` float32 Lab of frame 0 and frame 1 (``lab1`` None for a single image).
        background: ``h x w`` float32 in [0, 1]: how well the background motion explains each pixel (None without
            a second frame).
        flow: ``h x w x 2`` float32 optical flow from frame 0 to frame 1, working pixels (None without a second
            frame).
        relative: ``h x w x 2`` float32, ``flow`` minus the background motion (None without a second frame).
        flow_explained: ``h x w`` float32 in [0, 1]: how well ``flow`` explains each pixel (None without a second
            frame).
    """

    size: tuple[int, int]
    scale: float
    rgb: np.ndarray
    lab0: np.ndarray
    lab1: np.ndarray | None
    background: np.ndarray | None
    flow: np.ndarray | None
    relative: np.ndarray | None
    flow_explained: np.ndarray | None

    @property
    def work_shape(self) -> tuple[int, int]:
        return self.rgb.shape[0], self.rgb.shape[1]


def _lab(rgb: np.ndarray, blur: float) -> np.ndarray:
    return cv2.cvtColor(cv2.GaussianBlur(rgb, (0, 0), blur), cv2.COLOR_RGB2LAB).astype(np.float32)


def precompute(
    frame0: np.ndarray, frame1: np.ndarray | None = None, params: FallbackParams = DEFAULT_PARAMS
) -> PairFeatures:
    """Everything the clicks on one frame pair share (the expensive step; run once per pair).

    Args:
        frame0: ``H x W x 3`` uint8 RGB, the frame that is clicked.
        frame1: the next frame (same size) or None for colour-only segmentation.
    """
    check_pair(frame0, frame1)
    height, width = frame0.shape[:2]
    scale = min(1.0, params.work_size / max(height, width))
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    rgb0 = cv2.resize(frame0, size, interpolation=cv2.INTER_AREA)
    lab0 = _lab(rgb0, params.blur)
    if frame1 is None:
        return PairFeatures((height, width), scale, rgb0, lab0, None, None, None, None, None)
    rgb1 = cv2.resize(frame1, size, interpolation=cv2.INTER_AREA)
    lab1 = _lab(rgb1, params.blur)
    gray0, gray1 = (cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) for rgb in (rgb0, rgb1))
    flow = motion.dense_flow(gray0, gray1)
    map_x, map_y = motion.affine_maps(motion.background_affine(flow), size[1], size[0])
    background = motion.explained(motion.residual(lab0, lab1, map_x, map_y, params.residual_blur), params.tau)
    relative = motion.relative_flow(flow, map_x, map_y)
    xs, ys = motion.grid(size[1], size[0])
    flow_residual = motion.residual(lab0, lab1, xs + flow[..., 0], ys + flow[..., 1], params.residual_blur)
    flow_explained = motion.explained(flow_residual, params.tau)
    return PairFeatures((height, width), scale, rgb0, lab0, lab1, background, flow, relative, flow_explained)


def colour_similarity(lab: np.ndarray, x: int, y: int, params: FallbackParams) -> np.ndarray:
    """``h x w`` float32 in [0, 1]: how much each pixel's colour looks like the neighbourhood of ``(x, y)``."""
    patch = lab[masks.squares(lab.shape[:2], [(x, y)], params.colour_radius)]
    mean = patch.mean(axis=0)
    covariance = np.cov(patch.T) + np.eye(3) * params.colour_reg
    delta = (lab - mean).reshape(-1, 3)
    distance2 = np.sum((delta @ np.linalg.inv(covariance).astype(np.float32)) * delta, axis=1).reshape(lab.shape[:2])
    return np.exp(-0.5 * distance2 / params.colour_scale**2).astype(np.float32)


@dataclass(frozen=True, eq=False)
class _MotionFit:
    """A click's motion and what it explains (working size)."""

    shift: np.ndarray
    score: float
    weights: np.ndarray | None  # h x w float32: the neighbourhood the translation search weighed (None for flow)
    explained: np.ndarray  # h x w float32
    region: np.ndarray  # h x w bool, explained components tied to the click
    sure: np.ndarray  # region minus what the background motion explains too


def fit_click_motion(features: PairFeatures, x: int, y: int, params: FallbackParams) -> _MotionFit | None:
    """The motion of the thing clicked at working pixel ``(x, y)``, or None when no motion explains it."""
    if features.lab1 is None or features.background is None:
        return None
    height, width = features.work_shape
    seed = masks.squares((height, width), [(x, y)], params.seed_radius)
    if features.background[seed].mean() > params.explained_at:
        return None  # the background's motion explains the clicked spot: static or textureless, motion cannot tell
    similar = colour_similarity(features.lab0, x, y, params) * (features.background < params.unexplained_at)
    xs, ys = motion.grid(height, width)
    weights = (np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2.0 * params.reach**2)) * similar).astype(np.float32)
    max_shift = max(2, round(params.max_motion * max(height, width)))
    candidates = motion.search_shift(features.lab0, features.lab1, weights, max_shift, params.search_tau)
    if not candidates or candidates[0].score < params.min_fit:
        return None
    best = candidates[0]
    explained = motion.explained(
        motion.shift_residual(features.lab0, features.lab1, best.shift, params.residual_blur), params.tau
    )
    accounted = explained > params.explained_at
    count, labels = cv2.connectedComponents(accounted.astype(np.uint8), connectivity=4)
    counts = np.bincount(labels[(weights > 0.05) & accounted], minlength=count)
    ids = set(np.flatnonzero(counts >= params.min_component).tolist())
    ids |= set(np.unique(labels[seed]).tolist())
    ids.discard(0)
    region = np.isin(labels, sorted(ids)) if ids else np.zeros((height, width), bool)
    sure = region & (features.background < params.unexplained_at)
    if np.count_nonzero(sure) < params.min_sure:
        return None
    return _MotionFit(best.shift, best.score, weights, explained, region, sure)


def fit_flow_motion(features: PairFeatures, x: int, y: int, params: FallbackParams) -> _MotionFit | None:
    """The dense-flow cue for a click whose translation the flow overrules (``prefer_flow``; a deforming or fast
    object): the pixels that move more like the click than like the background, connected to it. None when the click
    barely moves against the background or too little of it is sure."""
    if features.relative is None or features.background is None:
        return None
    seed = masks.squares(features.work_shape, [(x, y)], params.seed_radius)
    own = np.median(features.relative[seed], axis=0)
    if float(np.hypot(*own)) < params.min_flow:
        return None
    follows = motion.follows(features.relative, own)
    region = masks.components_at((follows > 0.5) | seed, [(x, y)])
    sure = masks.erode(region & (follows > params.flow_sure), params.flow_erode)
    sure &= features.background < params.unexplained_at
    if np.count_nonzero(sure) < params.min_sure:
        return None
    return _MotionFit(own, float(follows[region].mean()), None, follows, region, sure)


def prefer_flow(features: PairFeatures, fit: _MotionFit, x: int, y: int, params: FallbackParams) -> bool:
    """Whether the optical flow should overrule a translation fitted at working pixel ``(x, y)``.

    A repeated texture or a deforming object (a face that turns while it moves) can make the translation search
    re-find colours at a wrong shift. When the flow at the click disagrees with the translation, the one that
    explains the colours of the click's neighbourhood better wins; the flow wins near-ties too, being smooth over
    the whole object rather than one peak of a search.
    """
    if features.flow is None or features.flow_explained is None or fit.weights is None:
        return False
    seed = masks.squares(features.work_shape, [(x, y)], params.seed_radius)
    flow = np.median(features.flow[seed], axis=0)
    background = flow - np.median(features.relative[seed], axis=0)
    tolerance = max(params.flow_agree_px, params.flow_agree * float(np.linalg.norm(fit.shift - background)))
    if float(np.linalg.norm(flow - fit.shift)) <= tolerance:
        return False
    total = float(fit.weights.sum())
    by_translation = float((fit.weights * fit.explained).sum()) / total
    by_flow = float((fit.weights * features.flow_explained).sum()) / total
    return by_flow >= by_translation - params.flow_margin


def click_motion(features: PairFeatures, x: int, y: int, params: FallbackParams) -> _MotionFit | None:
    """The click's motion: the translation that explains enough of its neighbourhood (``fit_click_motion``), or the
    dense-flow region instead where the flow overrules that translation (``prefer_flow``, ``fit_flow_motion``);
    None when no translation is found (the flow alone is not trusted: it fails on flat, fast objects), so the
    click falls back to colour."""
    fit = fit_click_motion(features, x, y, params)
    if fit is None or not prefer_flow(features, fit, x, y, params):
        return fit
    return fit_flow_motion(features, x, y, params) or fit


def _colour_region(features: PairFeatures, x: int, y: int, params: FallbackParams) -> np.ndarray:
    """Pixels of the click's colour connected to it, near it (working size bool): within ``colour_region_at`` of the
    click's colour model, or within ``colour_region_lab`` Lab units of its mean (for flat colours the model is too
    narrow)."""
    similar = colour_similarity(features.lab0, x, y, params)
    close = similar > np.exp(-0.5 * (params.colour_region_at / params.colour_scale) ** 2)
    seed = masks.squares(features.work_shape, [(x, y)], params.seed_radius)
    mean = features.lab0[masks.squares(features.work_shape, [(x, y)], params.colour_radius)].mean(axis=0)
    close |= np.linalg.norm(features.lab0 - mean, axis=2) < params.colour_region_lab
    xs, ys = motion.grid(*features.work_shape)
    close &= (xs - x) ** 2 + (ys - y) ** 2 <= (params.colour_reach * params.reach) ** 2  # a guess stays local
    return masks.components_at(close | seed, [(x, y)])


@dataclass
class _Claims:
    """What the positive clicks claim (working size): GrabCut labels so far and the evidence behind them."""

    trimap: np.ndarray  # h x w uint8 cv2.GC_* labels
    evidence: np.ndarray  # h x w float32 in [0, 1]
    sure_fg: np.ndarray  # h x w bool
    explained_fg: np.ndarray  # h x w float32: how well the clicks' motions explain each pixel
    moving: bool  # some click is on something the background motion does not explain
    partial: bool  # some click's probable object is only a colour guess


def _claim(features: PairFeatures, positives: Sequence[tuple[int, int]], params: FallbackParams) -> _Claims:
    shape = features.work_shape
    claims = _Claims(np.full(shape, cv2.GC_PR_BGD, np.uint8), np.zeros(shape, np.float32), np.zeros(shape, bool),
                     np.zeros(shape, np.float32), moving=False, partial=False)  # fmt: skip
    for x, y in positives:
        fit = click_motion(features, x, y, params)
        if fit is None:
            claims.partial = True
            claims.trimap[_colour_region(features, x, y, params)] = cv2.GC_PR_FGD
            claims.evidence = np.maximum(claims.evidence, colour_similarity(features.lab0, x, y, params))
            if features.background is not None and features.background[y, x] < params.unexplained_at:
                claims.moving = True  # the click is not background, so what the background motion explains is not it
            continue
        claims.moving = True
        claims.trimap[fit.region] = cv2.GC_PR_FGD
        claims.sure_fg |= masks.erode(fit.sure, 1)
        claims.explained_fg = np.maximum(claims.explained_fg, fit.explained)
        claims.evidence = np.maximum(claims.evidence, fit.explained)
    return claims


def _take_back(
    claims: _Claims,
    features: PairFeatures,
    seeds: np.ndarray,
    negatives: Sequence[tuple[int, int]],
    params: FallbackParams,
) -> None:
    """A negative click on something that is not background and that the positive clicks claimed: a claimed part
    without positive clicks is dropped; a part with both is split between them along colour edges."""
    inside = [
        (x, y)
        for x, y in negatives
        if claims.trimap[y, x] == cv2.GC_PR_FGD
        and (features.background is None or features.background[y, x] < params.explained_at)
    ]
    if not inside:
        return
    against = masks.squares(features.work_shape, inside, params.seed_radius)
    disputed = masks.components_touching(claims.trimap == cv2.GC_PR_FGD, against)
    shared = masks.components_touching(disputed, seeds)
    lost = disputed & ~shared
    if shared.any():
        lost |= shared & ~grabcut.split_by_clicks(features.rgb, seeds, against)
    claims.trimap[lost] = cv2.GC_PR_BGD
    claims.sure_fg &= ~lost


def build_trimap(
    features: PairFeatures,
    positives: Sequence[tuple[int, int]],
    negatives: Sequence[tuple[int, int]],
    box: tuple[int, int, int, int] | None,
    params: FallbackParams,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """GrabCut labels (``cv2.GC_*``, ``h x w`` uint8), an ``h x w`` float32 evidence map in [0, 1], and whether
    the probable object is only a colour guess for some click (no motion fitted), so GrabCut sees the whole image.

    Clicks are working-size pixels ``(x, y)``; ``box`` is ``(x0, y0, x1, y1)`` in working pixels.
    """
    shape = features.work_shape
    claims = _claim(features, positives, params)
    sure_bg = np.zeros(shape, bool)
    if claims.moving and features.background is not None:
        sure_bg |= (features.background > params.explained_at) & (claims.explained_fg < params.unexplained_at)
    for x, y in negatives:
        fit = click_motion(features, x, y, params)
        if fit is not None:
            sure_bg |= fit.region & (claims.explained_fg < params.explained_at)
    seeds = masks.squares(shape, positives, params.seed_radius)
    _take_back(claims, features, seeds, negatives, params)
    trimap = claims.trimap
    sure_bg = masks.erode(sure_bg, 1) & ~masks.dilate(claims.sure_fg | seeds, 2)
    trimap[sure_bg] = cv2.GC_BGD
    trimap[claims.sure_fg | seeds] = cv2.GC_FGD
    if box is not None:
        # A box says the object fills it: inside, everything is probably the object unless a click says it is;
        # outside is background (GrabCut's own box initialisation, plus the clicks as seeds).
        x0, y0, x1, y1 = box
        inside = np.zeros(shape, bool)
        inside[y0:y1, x0:x1] = True
        trimap[inside & (trimap != cv2.GC_FGD)] = cv2.GC_PR_FGD
        trimap[~inside] = cv2.GC_BGD
    trimap[masks.squares(shape, negatives, params.seed_radius)] = cv2.GC_BGD
    return trimap, claims.evidence, claims.partial


def _to_work(features: PairFeatures, x: float, y: float) -> tuple[int, int]:
    height, width = features.work_shape
    return min(width - 1, int(x * features.scale)), min(height - 1, int(y * features.scale))


def _work_box(features: PairFeatures, box: Box) -> tuple[int, int, int, int]:
    """A full-resolution box in working pixels ``(x0, y0, x1, y1)``, at least one pixel wide and high."""
    x0, y0 = _to_work(features, box.x0, box.y0)
    x1, y1 = (int(np.ceil(v * features.scale)) for v in (box.x1, box.y1))
    return x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)


def _inside(box: Box, size: tuple[int, int]) -> np.ndarray:
    """``H x W`` bool, exact at full resolution: pixel ``(i, j)`` is inside when ``x0 <= i < x1`` and
    ``y0 <= j < y1``."""
    inside = np.zeros(size, bool)
    inside[math.ceil(box.y0) : math.ceil(box.y1), math.ceil(box.x0) : math.ceil(box.x1)] = True
    return inside


def segment_features(
    features: PairFeatures, clicks: Sequence[Click], box: Box | None = None, params: FallbackParams = DEFAULT_PARAMS
) -> tuple[np.ndarray, float]:
    """Segment the clicked object of a precomputed pair (the cheap per-click step).

    Returns:
        ``(mask, score)``: the ``H x W`` bool mask at full resolution, and the mean evidence over the working-size
        mask in [0, 1] (the share of the mask that the clicked motion explains, or colour similarity to the clicks
        when no motion was used) — a heuristic confidence, not a calibrated IoU.
    """
    height, width = features.size
    check_prompts(clicks, box, height, width)
    positives = [_to_work(features, c.x, c.y) for c in clicks if c.positive]
    negatives = [_to_work(features, c.x, c.y) for c in clicks if not c.positive]
    work_box = None if box is None else _work_box(features, box)
    trimap, evidence, partial = build_trimap(features, positives, negatives, work_box, params)
    work_mask = grabcut.resolve(
        features.rgb,
        trimap,
        grabcut.CropRule(params.crop_margin, params.crop_margin_px, params.grabcut_pixels),
        params.grabcut_iters,
        whole=partial,
    )
    score = float(evidence[work_mask].mean()) if work_mask.any() else 0.0
    upsampled = cv2.resize(work_mask.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR) > 0.5
    if box is not None:
        upsampled &= _inside(box, (height, width))
    radius = max(1, round(params.seed_radius / features.scale))
    near_clicks = masks.squares((height, width), [c.pixel() for c in clicks if c.positive], radius)
    kept = masks.components_touching(upsampled, near_clicks)
    cleaned = masks.fill_small_holes(kept, round(params.max_hole * height * width))
    return cleaned, score


def segment_box(
    features: PairFeatures, clicks: Sequence[Click], box: Box, params: BoxParams = DEFAULT_BOX_PARAMS
) -> tuple[np.ndarray, float]:
    """Segment the object in ``box`` (with ``clicks`` as seeds) on precomputed features (``precompute`` at
    ``params.work_size``).

    Returns:
        ``(mask, score)``: the ``H x W`` bool mask at full resolution, inside the box; the score is the share of the
        mask the background motion does not explain (0.5 without a second frame), a heuristic in [0, 1].
    """
    height, width = features.size
    check_prompts(clicks, box, height, width)
    work_box = _work_box(features, box)
    positives = [_to_work(features, c.x, c.y) for c in clicks if c.positive]
    negatives = [_to_work(features, c.x, c.y) for c in clicks if not c.positive]
    work_mask = box_segment(
        features.rgb, work_box, positives, negatives, features.background, features.relative, params
    )
    score = 0.5
    if features.background is not None and work_mask.any():
        score = float(1.0 - features.background[work_mask].mean())
    upsampled = cv2.resize(work_mask.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR) > 0.5
    return upsampled & _inside(box, (height, width)), score


class FallbackSegmenter:
    """Click segmentation without learned weights; the per-pair precomputation is cached (LRU, by content).

    Thread-safe: one lock guards the cache, so concurrent sessions share precomputed pairs safely.
    """

    backend = Backend.FALLBACK

    def __init__(self, params: FallbackParams = DEFAULT_PARAMS, box_params: BoxParams = DEFAULT_BOX_PARAMS) -> None:
        self.params = params
        self.box_params = box_params
        self._cache: LRUCache[str, PairFeatures] = LRUCache(params.cache_size)
        self._box_cache: LRUCache[str, PairFeatures] = LRUCache(params.cache_size)

    @property
    def precomputations(self) -> int:
        """How many pairs were precomputed (cache misses)."""
        return self._cache.misses

    def describe(self) -> str:
        """One line for the UI and the CLI."""
        return "fallback (colour + motion between the two frames; no Segment Anything weights)"

    def prepare(self, image: np.ndarray, next_image: np.ndarray | None = None) -> PairFeatures:
        """Precompute (or fetch from the cache) the features of a frame pair; ``next_image`` None: colour only."""
        check_pair(image, next_image)
        return self._cache.get_or_make(image_key(image, next_image), lambda: precompute(image, next_image, self.params))

    def prepare_box(self, image: np.ndarray, next_image: np.ndarray | None = None) -> PairFeatures:
        """``prepare`` at the box path's working size (``BoxParams.work_size``), cached the same way."""
        check_pair(image, next_image)
        params = dataclasses.replace(self.params, work_size=self.box_params.work_size)
        return self._box_cache.get_or_make(image_key(image, next_image), lambda: precompute(image, next_image, params))

    def segment(
        self,
        image: np.ndarray,
        clicks: Sequence[Click],
        box: Box | None = None,
        next_image: np.ndarray | None = None,
    ) -> SegmentResult:
        """Segment the object the clicks point at in ``image`` (``H x W x 3`` uint8 RGB).

        ``next_image`` (the following frame, same size) adds the motion cue; without it only colour is used. With a
        box, the box path decides (``segment_box``) and the clicks are its seeds.
        """
        if box is not None:
            mask, score = segment_box(self.prepare_box(image, next_image), clicks, box, self.box_params)
            return SegmentResult(mask, score, self.backend)
        features = self.prepare(image, next_image)
        mask, score = segment_features(features, clicks, box, self.params)
        return SegmentResult(mask, score, self.backend)
