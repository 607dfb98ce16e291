"""Synthetic septuplets with exact distance indices, to measure how well a flow method recovers the index.

A septuplet is 7 frames of an ``interp.testing.synthetic`` scene at times ``n / 6``. The background pans at constant
velocity (its index is the time ratio); each object follows its own easing curve ``s(t)`` (linear, ease-in ``t^2``,
ease-out ``sqrt(t)``, ...), so its exact index between frames ``i`` and ``k`` at ``j`` is
``(s(t_j) - s(t_i)) / (s(t_k) - s(t_i))`` -- different from the time ratio, which is the point of distance indexing.
Every layer moves by pure translation, so the projection ratio of exact flows is exactly this value.

The ground-truth map lives on frame ``i``'s grid: each pixel takes the index of the topmost layer covering it there.
A pixel also counts as *visible* when its layer still shows at its new position in frames ``j`` and ``k`` (otherwise
it is occluded there and no flow method can see where it went).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from interp.research.distance_index import DEFAULT_MOTION_PRIOR, distance_index, ordered_triples, time_ratio
from interp.research.flow import FlowEstimator
from interp.research.maps import MapOptions, prepare_map
from interp.research.vimeo import SEPTUPLET_LENGTH
from interp.testing.synthetic import Scene, make_scene

Easing = Callable[[float], float]
EASINGS: tuple[Easing, ...] = (
    lambda t: t,
    lambda t: t * t,
    lambda t: float(np.sqrt(t)),
    lambda t: 3 * t * t - 2 * t**3,
)


@dataclass(frozen=True)
class SyntheticSeptuplet:
    """A scene, its 7 frames (``H x W x 3`` uint8 RGB) and each frame's per-object distances."""

    scene: Scene
    frames: tuple[np.ndarray, ...]
    object_distances: tuple[tuple[float, ...], ...]
    times: tuple[float, ...]
    #: per frame, ``H x W`` int: the topmost object covering each pixel, -1 for the background.
    layers: tuple[np.ndarray, ...]


def make_septuplet(
    seed: int = 0,
    height: int = 256,
    width: int = 448,
    num_objects: int = 3,
    max_motion: float | None = None,
    background_motion: tuple[float, float] | None = None,
) -> SyntheticSeptuplet:
    """A septuplet whose object ``o`` follows ``EASINGS[o % 4]`` and whose background pans linearly.

    The default size is Vimeo-90K's. Motions scale with the width unless given: objects travel up to 9% of it
    (40 px at 448 px), the background pans by ``(0.045, -0.047)`` of the frame size (20 x 12 px at 448 x 256), so
    every pixel moves and the exact index is defined everywhere.
    """
    if max_motion is None:
        max_motion = 0.09 * width
    if background_motion is None:
        background_motion = (0.045 * width, -0.047 * height)
    scene = make_scene(seed, height, width, num_objects, max_motion, background_motion)
    times = tuple(n / (SEPTUPLET_LENGTH - 1) for n in range(SEPTUPLET_LENGTH))
    distances = tuple(tuple(EASINGS[o % len(EASINGS)](t) for o in range(num_objects)) for t in times)
    frames = tuple(scene.render(d, t) for d, t in zip(distances, times, strict=True))
    layers = tuple(_layer_map(scene, d, t) for d, t in zip(distances, times, strict=True))
    return SyntheticSeptuplet(scene, frames, distances, times, layers)


def _layer_map(scene: Scene, distances: Sequence[float], background: float) -> np.ndarray:
    """``H x W`` int: index of the topmost object covering each pixel, -1 for the background."""
    layers = np.full((scene.height, scene.width), -1, dtype=np.int64)
    for o, mask in enumerate(scene.visible_masks(distances, background)):
        layers[mask] = o
    return layers


def _offset(septuplet: SyntheticSeptuplet, layer: int, a: int, b: int) -> tuple[float, float]:
    """Displacement (x, y) of a layer from frame ``a`` to frame ``b``."""
    scene = septuplet.scene
    if layer < 0:
        motion, da, db = scene.background_motion, septuplet.times[a], septuplet.times[b]
    else:
        motion = scene.objects[layer].motion
        da, db = septuplet.object_distances[a][layer], septuplet.object_distances[b][layer]
    return (db - da) * motion[0], (db - da) * motion[1]


def true_index(septuplet: SyntheticSeptuplet, i: int, j: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact index ``H x W`` float32 on frame ``i``'s grid, and the mask of pixels visible in frames ``j`` and ``k``."""
    scene, layers = septuplet.scene, septuplet.layers
    ys, xs = np.mgrid[0 : scene.height, 0 : scene.width]
    index = np.zeros((scene.height, scene.width), dtype=np.float32)
    visible = np.ones((scene.height, scene.width), dtype=bool)
    for layer in np.unique(layers[i]):
        here = layers[i] == layer
        to_j, to_k = _offset(septuplet, layer, i, j), _offset(septuplet, layer, i, k)
        index[here] = (to_j[0] * to_k[0] + to_j[1] * to_k[1]) / max(to_k[0] ** 2 + to_k[1] ** 2, 1e-12)
        for frame, (dx, dy) in ((j, to_j), (k, to_k)):
            x = np.rint(xs[here] + dx).astype(int)
            y = np.rint(ys[here] + dy).astype(int)
            inside = (x >= 0) & (x < scene.width) & (y >= 0) & (y < scene.height)
            same = np.zeros_like(inside)
            same[inside] = layers[frame][y[inside], x[inside]] == layer
            visible[here] &= same
    return index, visible


def exact_flow(septuplet: SyntheticSeptuplet, a: int, b: int) -> np.ndarray:
    """The true ``F_a->b`` (``H x W x 2``) of each pixel's layer in frame ``a``."""
    layers = septuplet.layers[a]
    flow = np.zeros((*layers.shape, 2), dtype=np.float32)
    for layer in np.unique(layers):
        flow[layers == layer] = _offset(septuplet, int(layer), a, b)
    return flow


@dataclass(frozen=True)
class RegionErrors:
    """Mean absolute index error over all pixels, over pixels visible in frames j and k, over occluded ones, and over
    pixels of the moving objects (where the index differs from the time ratio)."""

    all: float
    visible: float
    occluded: float
    objects: float


@dataclass(frozen=True)
class IndexAccuracy:
    """Errors of estimated maps as stored (``raw``), as a network sees them (``prepared``: clipped to [0, 1] and
    blurred as ``maps.MapOptions()``), and of the time ratio everywhere (``time_ratio``: the bar to beat)."""

    raw: RegionErrors
    prepared: RegionErrors
    time_ratio: RegionErrors
    occluded_fraction: float
    maps: int


class _Pool:
    """Sums and counts of absolute errors per region."""

    def __init__(self) -> None:
        self.sums = np.zeros(4)
        self.counts = np.zeros(4)

    def add(self, error: np.ndarray, visible: np.ndarray, objects: np.ndarray) -> None:
        for n, mask in enumerate((np.ones_like(visible), visible, ~visible, objects)):
            self.sums[n] += float(error[mask].sum())
            self.counts[n] += float(mask.sum())

    def result(self) -> RegionErrors:
        return RegionErrors(*(self.sums / np.maximum(self.counts, 1)).tolist())


def measure_index_error(
    estimator: FlowEstimator,
    seeds: Sequence[int] = (0, 1, 2),
    height: int = 256,
    width: int = 448,
    motion_prior: float = DEFAULT_MOTION_PRIOR,
    triples: Sequence[tuple[int, int, int]] | None = None,
) -> IndexAccuracy:
    """Index ``triples`` (default: all 70) of synthetic septuplets (one per seed) with ``estimator``."""
    pools = {"raw": _Pool(), "prepared": _Pool(), "time_ratio": _Pool()}
    occluded = 0.0
    chosen = list(triples) if triples is not None else ordered_triples(SEPTUPLET_LENGTH)
    pairs = sorted({p for i, j, k in chosen for p in ((i, j), (i, k))})
    options = MapOptions()
    for seed in seeds:
        septuplet = make_septuplet(seed, height, width)
        flows = estimator.flows(septuplet.frames, pairs)
        for i, j, k in chosen:
            t = time_ratio(i, j, k)
            raw = distance_index(flows[i, j], flows[i, k], t, motion_prior)
            truth, visible = true_index(septuplet, i, j, k)
            objects = septuplet.layers[i] >= 0
            prepared = prepare_map(raw, height, width, options, t)
            pools["raw"].add(np.abs(raw - truth), visible, objects)
            pools["prepared"].add(np.abs(prepared - np.clip(truth, 0, 1)), visible, objects)
            pools["time_ratio"].add(np.abs(t - truth), visible, objects)
            occluded += 1.0 - float(visible.mean())
    maps = len(seeds) * len(chosen)
    return IndexAccuracy(
        raw=pools["raw"].result(),
        prepared=pools["prepared"].result(),
        time_ratio=pools["time_ratio"].result(),
        occluded_fraction=occluded / maps,
        maps=maps,
    )
