"""Manipulated interpolation: render a frame pair with every object on its own distance schedule.

``Manipulator.prepare`` does the per-(pair, masks) work once: encode the pair, estimate the pair's flow with the
model at t = 0.5 (converted to each end frame's grid), build label maps and each object's map coverage. ``render``
then turns per-frame distances (objects and background) into frames with one of the renderers:

* ``"composite"``: every object cut from the network's frame at its own (uniform) time, pasted over the network's
  frame at the background's time with the object's old position replaced by a clean plate (see
  ``interp.core.composite``);
* ``"splat"``: layered splatting along the model's flow (no network pass per frame; see ``interp.core.layered``);
* ``"maps"``: the network driven by distance maps whose object regions cover each object's swept path;
* ``"naive"``: the network driven by frame-0 masks + blur (the reference webapp's way, for comparison).

A frame where every layer shares one distance is ordinary interpolation and is rendered by the network directly
(distance 0 or 1: the input frame itself).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from interp.core.composite import (
    DOUBT_BAND_PX,
    GHOST_BAND_PX,
    MIN_SHIFT_PX,
    PASTE_GROW_PX,
    REMOVE_GROW_PX,
    WINDOW_MARGIN_PX,
    clean_plate,
    composite,
    ghost_region,
    paste_window,
    region_at,
    shift_px,
    soft_alpha,
)
from interp.core.curves import Curve, output_times
from interp.core.distance_maps import DEFAULT_FEATHER_PX, check_masks, compose_from_coverage, footprints, label_map
from interp.core.forward_warp import endpoint_flows
from interp.core.layered import clean_layer_flows, frame1_labels, render_layers, unreliable_flow
from interp.core.progress import Progress
from interp.core.renderers import DEFAULT_RENDERER, check_renderer
from interp.engine.interpolator import DEFAULT_ITERS, FramePair, Interpolator
from interp.errors import InputError


def choose_renderer(interpolator: Interpolator, name: str | None = None) -> str:
    """The one choice of renderer: ``name`` when given (checked), else the model's own (``ModelSpec.default_renderer``,
    ``maps`` for the distance-indexed models), else ``DEFAULT_RENDERER``."""
    if name:
        return check_renderer(name)
    return interpolator.spec.default_renderer or DEFAULT_RENDERER


@dataclass(frozen=True)
class PreparedPair:
    """Per-(pair, masks) state that every rendered frame reuses.

    Attributes:
        pair: the encoded frames.
        img0, img1: ``H x W x 3`` float32 RGB in [0, 1].
        masks: frame-0 object masks, ``H x W`` bool, z-order.
        flow01, flow10: ``2 x H x W`` flows on frame 0's / frame 1's grid (pixels).
        labels0, labels1: ``H x W`` int label maps (-1 background) on each end frame.
        feather_px: edge feathering of the swept map footprints.
    """

    pair: FramePair
    img0: np.ndarray
    img1: np.ndarray
    masks: tuple[np.ndarray, ...]
    flow01: np.ndarray
    flow10: np.ndarray
    labels0: np.ndarray
    labels1: np.ndarray
    feather_px: float = DEFAULT_FEATHER_PX
    _coverage: dict[str, tuple[np.ndarray, ...]] = field(default_factory=dict, repr=False, compare=False)

    def coverage(self, method: str) -> tuple[np.ndarray, ...]:
        """Per-object map coverage (``H x W`` float in [0, 1]) for a footprint method, computed on first use (only
        the map-driven renderers need it)."""
        if method not in self._coverage:
            found = footprints(self.masks, self.flow01, method, self.feather_px) if self.masks else []
            self._coverage[method] = tuple(found)
        return self._coverage[method]


def band(region: np.ndarray, width_px: int = GHOST_BAND_PX) -> np.ndarray:
    """``region`` grown by ``width_px`` pixels (``H x W`` bool)."""
    return soft_alpha(region, width_px, 0.0) > 0


class Manipulator:
    """Renders manipulated sequences with an ``Interpolator`` (the same object the CLI and the app use)."""

    def __init__(
        self, interpolator: Interpolator, feather_px: float = DEFAULT_FEATHER_PX, iters: int = DEFAULT_ITERS
    ) -> None:
        self.interpolator = interpolator
        self.feather_px = feather_px
        self.iters = iters

    def prepare(self, img0: np.ndarray, img1: np.ndarray, masks: Sequence[np.ndarray]) -> PreparedPair:
        """Encode the pair, estimate its flow once, and derive labels and map coverage for ``masks``."""
        pair = self.interpolator.encode_pair(img0, img1)
        checked = check_masks(masks, pair.size)
        flow01, flow10 = endpoint_flows(self.interpolator.flow(pair, 0.5, self.iters))
        to_float = [
            im.astype(np.float32) / 255.0 if im.dtype == np.uint8 else im.astype(np.float32) for im in (img0, img1)
        ]
        if checked:
            labels0, labels1 = label_map(checked), frame1_labels(checked, flow01, flow10)
            doubtful0, doubtful1 = unreliable_flow(flow01, flow10), unreliable_flow(flow10, flow01)
            flow01, flow10 = (
                clean_layer_flows(flow01, labels0, doubtful0),
                clean_layer_flows(flow10, labels1, doubtful1),
            )
        else:
            labels0 = labels1 = np.full(pair.size, -1, dtype=np.int32)
        return PreparedPair(
            pair, to_float[0], to_float[1], tuple(checked), flow01, flow10, labels0, labels1, self.feather_px
        )

    def distance_maps(
        self,
        prepared: PreparedPair,
        object_distances: np.ndarray,
        background_distances: np.ndarray,
        renderer: str = DEFAULT_RENDERER,
    ) -> list[np.ndarray]:
        """The maps a renderer feeds the network (``"naive"`` uses frame-0 coverage, the others the swept one)."""
        coverage = prepared.coverage("naive" if renderer == "naive" else "swept")
        if not coverage:
            return [np.full(prepared.pair.size, d, dtype=np.float32) for d in background_distances]
        return compose_from_coverage(coverage, object_distances, background_distances)

    def render(
        self,
        prepared: PreparedPair,
        object_distances: np.ndarray,
        background_distances: np.ndarray,
        renderer: str = DEFAULT_RENDERER,
        progress: Progress | None = None,
    ) -> Iterator[np.ndarray]:
        """Yield one ``H x W x 3`` float32 frame per row of distances.

        Args:
            prepared: from ``prepare``.
            object_distances: ``F x N`` (F frames, N = number of masks) distances in [0, 1].
            background_distances: ``F`` distances in [0, 1].
            renderer: one of ``RENDERERS``.
            progress: called with (frames done, total).
        """
        check_renderer(renderer)
        object_distances = np.asarray(object_distances, dtype=np.float64).reshape(len(background_distances), -1)
        background_distances = np.asarray(background_distances, dtype=np.float64)
        if object_distances.shape[1] != len(prepared.masks):
            raise InputError(f"need distances for {len(prepared.masks)} objects, got {object_distances.shape[1]}")
        everything = np.concatenate([object_distances, background_distances[:, None]], axis=1)
        if not np.isfinite(everything).all() or everything.min() < 0 or everything.max() > 1:
            raise InputError("distances must be finite and in [0, 1]")
        uniform = np.ptp(everything, axis=1) < 1e-6
        # Splat and composite render mixed frames their own way; every other frame is one map through the network,
        # rendered in batches (a uniform frame is a plain time).
        own_way = ~uniform if renderer in ("splat", "composite") else np.zeros(len(uniform), dtype=bool)
        todo = np.flatnonzero(~own_way)
        maps: list[float | np.ndarray] = list(
            self.distance_maps(prepared, object_distances[todo], background_distances[todo], renderer)
        )
        for slot, frame in enumerate(todo):
            if uniform[frame]:
                maps[slot] = float(background_distances[frame])
        rendered = self.interpolator.iter_render(prepared.pair, maps, iters=self.iters)
        for frame in range(len(uniform)):
            if not own_way[frame]:
                image = next(rendered)
            elif renderer == "composite":
                image = self._composite(prepared, object_distances[frame], float(background_distances[frame]))
            else:
                image = render_layers(prepared.img0, prepared.img1, prepared.labels0, prepared.labels1,
                                      prepared.flow01, prepared.flow10, object_distances[frame],
                                      background_distances[frame])  # fmt: skip
            if progress is not None:
                progress(frame + 1, len(uniform))
            yield image

    def _composite(self, prepared: PreparedPair, objects: np.ndarray, background: float) -> np.ndarray:
        """One frame of the ``"composite"`` renderer (see ``interp.core.composite``): ``H x W x 3`` float32.

        An object that would stand less than ``MIN_SHIFT_PX`` from its place in the background's frame is taken from
        that frame (its own distance differs by a hair: nothing to render, nothing to remove).
        """
        p = prepared
        distances = [
            d if shift_px(p.flow01, p.labels0 == index, d - background) >= MIN_SHIFT_PX else background
            for index, d in enumerate(objects.tolist())
        ]
        regions = [
            region_at(p.labels0 == index, p.labels1 == index, p.flow01, p.flow10, distance)
            for index, distance in enumerate(distances)
        ]
        rendered = self._uniform_frames(p, distances, background, regions)
        base = rendered[background]
        there = np.zeros(p.pair.size, dtype=np.float32)  # moved objects at the background's distance
        own = np.zeros(p.pair.size, dtype=np.float32)  # every object at its own distance
        moved = []  # objects that stand somewhere else than in the background's frame
        layers = []
        for index, distance in enumerate(distances):
            mask0, mask1 = p.labels0 == index, p.labels1 == index
            alpha = soft_alpha(regions[index], PASTE_GROW_PX)
            if distance != background:
                moved.append(index)
                old = region_at(mask0, mask1, p.flow01, p.flow10, background)
                there = np.maximum(there, soft_alpha(old, REMOVE_GROW_PX))
            own = np.maximum(own, alpha)
            layers.append((rendered[distance], alpha))
        plate = None
        remove = there * (1.0 - own)
        if moved:
            doubtful0, doubtful1 = (band(np.isin(labels, moved), DOUBT_BAND_PX) for labels in (p.labels0, p.labels1))
            plate, seen = clean_plate(
                p.img0, p.img1, p.labels0 < 0, p.labels1 < 0, doubtful0, doubtful1, p.flow01, p.flow10, background
            )
            ghost = soft_alpha(ghost_region(base, plate, seen, band(there > 0)), 1)
            remove = np.maximum(there, ghost) * (1.0 - own)
        return composite(base, plate, remove, layers)

    def _uniform_frames(
        self, prepared: PreparedPair, objects: list[float], background: float, regions: Sequence[np.ndarray]
    ) -> dict[float, np.ndarray]:
        """The network's frames at the background's distance and at each object's (``H x W x 3`` float32 by
        distance). An object's distance is rendered only on a window around its objects (where they are on both
        frames and at that distance, plus ``WINDOW_MARGIN_PX``) when that window is clearly smaller than the frame;
        outside it the frame is the background's (never pasted there: the objects' alphas lie inside)."""
        p = prepared
        windows = {}
        for distance in sorted(set(objects) - {background, 0.0, 1.0}):  # frames 0 and 1 cost nothing
            where = np.zeros(p.pair.size, dtype=bool)
            for index in (i for i, d in enumerate(objects) if d == distance):
                where |= (p.labels0 == index) | (p.labels1 == index) | regions[index]
            ys, xs = np.nonzero(where)
            if not len(ys):
                continue
            margin = WINDOW_MARGIN_PX
            top, left = int(ys.min()) - margin, int(xs.min()) - margin
            height, width = int(ys.max()) - top + 1 + margin, int(xs.max()) - left + 1 + margin
            found = self.interpolator.window(p.pair, top, left, height, width)
            if found is not None:
                windows[distance] = found
        whole = sorted({background, *objects} - set(windows))
        rendered = dict(zip(whole, self.interpolator.render(p.pair, whole, iters=self.iters), strict=True))
        for distance, (pair, corner) in windows.items():
            part = self.interpolator.render(pair, [distance], iters=self.iters)[0]
            rendered[distance] = paste_window(rendered[background], part, *corner)
        return rendered

    def render_curves(
        self,
        prepared: PreparedPair,
        curves: Sequence[Curve],
        background: Curve,
        num_frames: int,
        renderer: str = DEFAULT_RENDERER,
        progress: Progress | None = None,
    ) -> Iterator[np.ndarray]:
        """Yield the ``num_frames`` frames of a sequence at ``t_k = k / (num_frames - 1)``."""
        if len(curves) != len(prepared.masks):
            raise InputError(f"need one curve per object: {len(prepared.masks)} objects, {len(curves)} curves")
        times = output_times(num_frames)
        objects = np.stack([c(times) for c in curves], axis=1) if curves else np.zeros((num_frames, 0))
        yield from self.render(prepared, objects, background(times), renderer, progress)
