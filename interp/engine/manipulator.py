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
    STILL_SHARE,
    WINDOW_MARGIN_PX,
    clean_plate,
    composite,
    ghost_region,
    inpaint,
    object_vicinity,
    paste_window,
    region_at,
    shift_px,
    soft_alpha,
    still_background,
    still_share,
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


def checked_distances(
    prepared: PreparedPair, object_distances: np.ndarray, background_distances: np.ndarray, renderer: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``F x N`` object and ``F`` background distances as float64, checked (``InputError`` for a wrong count, a
    value outside [0, 1] or an unknown renderer), and which frames are uniform (``F`` bool: one distance for all)."""
    check_renderer(renderer)
    background_distances = np.asarray(background_distances, dtype=np.float64).reshape(-1)
    object_distances = np.asarray(object_distances, dtype=np.float64).reshape(len(background_distances), -1)
    if object_distances.shape[1] != len(prepared.masks):
        raise InputError(f"need distances for {len(prepared.masks)} objects, got {object_distances.shape[1]}")
    everything = np.concatenate([object_distances, background_distances[:, None]], axis=1)
    if not np.isfinite(everything).all() or everything.min() < 0 or everything.max() > 1:
        raise InputError("distances must be finite and in [0, 1]")
    return object_distances, background_distances, np.ptp(everything, axis=1) < 1e-6


@dataclass(frozen=True)
class RenderedFrame:
    """One rendered frame: ``image`` (``H x W x 3`` float32 in [0, 1]) and ``invented`` (``H x W`` bool: pixels no
    input frame shows, filled by inpainting; empty for renderers that cannot tell, the network-driven ones)."""

    image: np.ndarray
    invented: np.ndarray


def vicinity_px(flow01: np.ndarray, mask0: np.ndarray, difference: float) -> int:
    """How far (pixels) around a moved object the network's frames bend the background: as far as the object moves
    between its distance and the background's (``shift_px``), at least ``GHOST_BAND_PX``."""
    return max(GHOST_BAND_PX, round(shift_px(flow01, mask0, difference)))


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
        """Yield one ``H x W x 3`` float32 frame per row of distances (``render_frames``' images)."""
        for frame in self.render_frames(prepared, object_distances, background_distances, renderer, progress):
            yield frame.image

    def render_frames(
        self,
        prepared: PreparedPair,
        object_distances: np.ndarray,
        background_distances: np.ndarray,
        renderer: str = DEFAULT_RENDERER,
        progress: Progress | None = None,
    ) -> Iterator[RenderedFrame]:
        """Yield one ``RenderedFrame`` (the image and where its pixels were invented) per row of distances.

        Args:
            prepared: from ``prepare``.
            object_distances: ``F x N`` (F frames, N = number of masks) distances in [0, 1].
            background_distances: ``F`` distances in [0, 1].
            renderer: one of ``RENDERERS``.
            progress: called with (frames done, total).
        """
        object_distances, background_distances, uniform = checked_distances(
            prepared, object_distances, background_distances, renderer
        )
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
                result = RenderedFrame(next(rendered), np.zeros(prepared.pair.size, dtype=bool))
            else:
                result = self._own_way(prepared, object_distances[frame], background_distances[frame], renderer)
            if progress is not None:
                progress(frame + 1, len(uniform))
            yield result

    def render_one(
        self, prepared: PreparedPair, objects: np.ndarray, background: float, renderer: str = DEFAULT_RENDERER
    ) -> RenderedFrame:
        """One frame (``objects``: ``N`` distances, ``background`` a distance) and where its pixels were invented."""
        return next(self.render_frames(prepared, np.reshape(objects, (1, -1)), np.array([background]), renderer))

    def _own_way(self, prepared: PreparedPair, objects: np.ndarray, background: float, renderer: str) -> RenderedFrame:
        """A mixed frame of the renderers that do not drive the network by maps (``composite``, ``splat``)."""
        if renderer == "composite":
            return self._composite(prepared, objects, float(background))
        p = prepared
        image = render_layers(p.img0, p.img1, p.labels0, p.labels1, p.flow01, p.flow10, objects, float(background))
        return RenderedFrame(image, np.zeros(p.pair.size, dtype=bool))

    def _composite(self, prepared: PreparedPair, objects: np.ndarray, background: float) -> RenderedFrame:
        """One frame of the ``"composite"`` renderer (see ``interp.core.composite``).

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
        rendered, windows = self._uniform_frames(p, distances, background, regions)
        base = rendered[background]
        there = np.zeros(p.pair.size, dtype=np.float32)  # moved objects at the background's distance
        own = np.zeros(p.pair.size, dtype=np.float32)  # every object at its own distance
        moved = {}  # objects that stand somewhere else than in the background's frame: their region there
        layers = []
        for index, distance in enumerate(distances):
            mask0, mask1 = p.labels0 == index, p.labels1 == index
            alpha = soft_alpha(regions[index], PASTE_GROW_PX)
            if distance != background:
                moved[index] = region_at(mask0, mask1, p.flow01, p.flow10, background)
                there = np.maximum(there, soft_alpha(moved[index], REMOVE_GROW_PX))
            own = np.maximum(own, alpha)
            layers.append((rendered[distance], alpha))
        if not moved:
            return RenderedFrame(composite(base, None, there, layers), np.zeros(p.pair.size, dtype=bool))
        views = self._background_views(p, rendered, windows, distances, regions, background)
        # judged away from every mask: a mask that misses an object's edge must not make the background look moving
        sure0, sure1 = (~band(labels >= 0, 3 * DOUBT_BAND_PX) for labels in (p.labels0, p.labels1))
        steady = still_share(p.img0, p.img1, sure0, sure1) >= STILL_SHARE
        colour, known = still_background(views, steady, background)
        # around each moved object, the frame at its own time (its edges a mask missed move with it)
        by_time = {time: (image, shows) for time, image, shows in views}
        near, vicinity = object_vicinity(
            [
                band(regions[i] | region, vicinity_px(p.flow01, p.labels0 == i, distances[i] - background))
                for i, region in moved.items()
            ],
            [by_time[distances[i]] for i in moved],
            steady,
        )
        colour[vicinity], known = near[vicinity], known | vicinity
        doubtful0, doubtful1 = (band(np.isin(labels, list(moved)), DOUBT_BAND_PX) for labels in (p.labels0, p.labels1))
        plate, seen = clean_plate(
            p.img0, p.img1, p.labels0 < 0, p.labels1 < 0, doubtful0, doubtful1, p.flow01, p.flow10, background,
            (colour, known),
        )  # fmt: skip
        ghost = soft_alpha(ghost_region(base, plate, seen, band(there > 0)), 1)
        remove = np.maximum(there, ghost * (1.0 - own))  # an object's own soft edge is no ghost
        remove = np.maximum(remove, soft_alpha(~band(~vicinity, 1), 0))
        invented = ~seen & (remove > 0.5) & (own < 0.5)
        plate = inpaint(plate, seen, invented)
        return RenderedFrame(composite(base, plate, remove, layers), invented)

    def _background_views(
        self,
        prepared: PreparedPair,
        rendered: dict[float, np.ndarray],
        windows: dict[float, np.ndarray],
        distances: Sequence[float],
        regions: Sequence[np.ndarray],
        background: float,
    ) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """Frames at uniform times other than the background's (the input frames, and the network's frames at the
        objects' distances, inside the window they were rendered on), each with where it shows what the output
        shows there unless an object covers it (``H x W`` bool): outside every object, less a band
        (``DOUBT_BAND_PX``, twice that for the network's softer edges) around the objects that stand elsewhere in the
        output. Around an object that stands where the view shows it (a held object in frame 0), the view is right
        whether its mask missed an edge of the object or not."""
        p = prepared
        views = []
        for time in sorted({0.0, 1.0, *distances} - {background}):
            if time in (0.0, 1.0):
                image, labels = (p.img0, p.labels0) if time == 0.0 else (p.img1, p.labels1)
                objects = [labels == index for index in range(len(distances))]
                width, inside = DOUBT_BAND_PX, True
            else:
                image, width, inside = rendered[time], 2 * DOUBT_BAND_PX, windows.get(time, True)
                objects = [
                    regions[index] if d == time else region_at(p.labels0 == index, p.labels1 == index, p.flow01,
                                                               p.flow10, time)
                    for index, d in enumerate(distances)
                ]  # fmt: skip
            elsewhere = np.zeros(p.pair.size, dtype=bool)
            anywhere = np.zeros(p.pair.size, dtype=bool)
            for index, region in enumerate(objects):
                anywhere |= region
                if distances[index] != time:
                    elsewhere |= region
            views.append((time, image, inside & ~anywhere & ~band(elsewhere, width)))
        return views

    def _uniform_frames(
        self, prepared: PreparedPair, objects: list[float], background: float, regions: Sequence[np.ndarray]
    ) -> tuple[dict[float, np.ndarray], dict[float, np.ndarray]]:
        """The network's frames at the background's distance and at each object's (``H x W x 3`` float32 by
        distance), and for those rendered on a window, where the window is (``H x W`` bool by distance). An object's
        distance is rendered only on a window around its objects (where they are on both frames and at that
        distance, plus ``WINDOW_MARGIN_PX``) when that window is clearly smaller than the frame; outside it the
        frame is the background's (never pasted there: the objects' alphas lie inside)."""
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
        inside = {}
        for distance, (pair, corner) in windows.items():
            part = self.interpolator.render(pair, [distance], iters=self.iters)[0]
            rendered[distance] = paste_window(rendered[background], part, *corner)
            inside[distance] = paste_window(np.zeros((*p.pair.size, 1), bool), np.ones((*part.shape[:2], 1), bool),
                                            *corner)[..., 0]  # fmt: skip
        return rendered, inside

    def render_curves(
        self,
        prepared: PreparedPair,
        curves: Sequence[Curve],
        background: Curve,
        num_frames: int,
        renderer: str = DEFAULT_RENDERER,
        progress: Progress | None = None,
    ) -> Iterator[RenderedFrame]:
        """Yield the ``num_frames`` frames of a sequence at ``t_k = k / (num_frames - 1)`` (``render_frames``)."""
        if len(curves) != len(prepared.masks):
            raise InputError(f"need one curve per object: {len(prepared.masks)} objects, {len(curves)} curves")
        times = output_times(num_frames)
        objects = np.stack([c(times) for c in curves], axis=1) if curves else np.zeros((num_frames, 0))
        yield from self.render_frames(prepared, objects, background(times), renderer, progress)
