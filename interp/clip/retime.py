"""Retime objects inside a clip: at each output time the background at its clip time and every object at its own.

Clip time ``s`` is in frames (0 to ``num_frames - 1``). An output frame with the background at ``s_bg`` and object
``i`` at ``s_i`` is made in z-order (later objects on top):

1. the background layer: clip frame ``s_bg`` (the network between the two frames around it when ``s_bg`` falls
   between frames) with every object that is elsewhere taken out: its pixels at ``s_bg`` replaced by a clean plate
   (``interp.clip.plates``: the background from the clip's other frames, registered; only what no frame shows is
   invented);
2. each object whose time differs from ``s_bg``, pasted from the frame at ``s_i`` (the network's frame between
   clip frames, with the object's mask carried to that time along the network's own flow), soft-edged;
3. objects that share the background's time and lie above a pasted one, pasted back from the background's frame.

When every time is equal the output is the clip frame (or the network's frame between two), as plain retiming
gives it. Frames, plates and network frames are cached in small LRU caches: memory does not grow with the clip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from interp.clip.plates import DEFAULT_REACH, Plate, Registration, clean_plate
from interp.clip.store import MaskStore
from interp.core.curves import Curve, output_times
from interp.core.lru import LRUCache
from interp.core.progress import Progress
from interp.engine.interpolator import DEFAULT_ITERS, EncodedFrame, Interpolator

#: Times closer than this (frames) are the same time: an object there stays in the background's frame.
SAME_TIME = 1e-3
#: Soft edge of a pasted object (Gaussian sigma, pixels).
EDGE_SIGMA = 1.0


@dataclass(frozen=True)
class Timing:
    """One output frame's clip times (frames, 0 to ``num_frames - 1``): the background's and each object's."""

    background: float
    objects: tuple[float, ...]

    def differing(self) -> tuple[int, ...]:
        """The objects whose time is not the background's."""
        return tuple(i for i, s in enumerate(self.objects) if abs(s - self.background) > SAME_TIME)


def clip_timings(background: Curve, curves: Sequence[Curve], num_output: int, num_frames: int) -> list[Timing]:
    """The clip times of ``num_output`` output frames: curve values in [0, 1] (output time u -> clip time s / (L - 1))
    scaled to the ``num_frames`` frames of the clip."""
    span = num_frames - 1
    times = output_times(num_output)
    bg = np.clip(background(times), 0.0, 1.0) * span
    objects = [np.clip(curve(times), 0.0, 1.0) * span for curve in curves]
    return [Timing(float(bg[j]), tuple(float(obj[j]) for obj in objects)) for j in range(num_output)]


def split_time(time: float, num_frames: int) -> tuple[int, float]:
    """``(a, f)``: the clip frame ``a`` at or before ``time`` and the fraction ``f`` in [0, 1) towards ``a + 1``
    (``f`` is 0 on a frame, within ``SAME_TIME``)."""
    nearest = round(time)
    if abs(time - nearest) <= SAME_TIME:
        return min(max(nearest, 0), num_frames - 1), 0.0
    a = min(max(int(np.floor(time)), 0), num_frames - 2)
    return a, float(time - a)


def carry_mask(mask_a: np.ndarray, mask_b: np.ndarray, flow: np.ndarray, fraction: float) -> np.ndarray:
    """A mask at ``fraction`` between two frames: each end's mask (``H x W`` bool) pulled along the network's flow
    (``4 x H x W``: ``F_t->0`` then ``F_t->1``), blended by time; ``H x W`` float32 in [0, 1]."""
    height, width = mask_a.shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    pulled = []
    for mask, (fx, fy) in ((mask_a, flow[0:2]), (mask_b, flow[2:4])):
        pulled.append(cv2.remap(mask.astype(np.float32), xs + fx, ys + fy, cv2.INTER_LINEAR, cv2.BORDER_CONSTANT, 0))
    return (1.0 - fraction) * pulled[0] + fraction * pulled[1]


def soft_edge(alpha: np.ndarray, sigma: float = EDGE_SIGMA) -> np.ndarray:
    """``alpha`` (``H x W`` float in [0, 1]) with a soft edge (Gaussian), float32."""
    return cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), sigma) if sigma > 0 else alpha.astype(np.float32)


def paste(base: np.ndarray, layer: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``layer`` over ``base`` (``H x W x 3`` float32) with ``alpha`` (``H x W`` in [0, 1])."""
    a = alpha[..., None]
    return base * (1.0 - a) + layer * a


@dataclass(frozen=True)
class Retimed:
    """One output frame: ``image`` ``H x W x 3`` uint8 RGB and ``invented`` (``H x W`` bool) where it shows
    background that no clip frame showed."""

    image: np.ndarray
    invented: np.ndarray


class Retimer:
    """Renders output frames of a retimed clip from its frames and every object's mask on every frame.

    Args:
        interpolator: the network that makes frames between clip frames.
        frame: clip frame ``i`` at the render size (``H x W x 3`` uint8 RGB).
        masks: each object's mask on each clip frame, at the render size.
        num_frames: the clip's length.
        iters: iterations for the [R] models.
        reach: how far (frames, each way) a clean plate looks for background.
    """

    def __init__(
        self,
        interpolator: Interpolator,
        frame: Callable[[int], np.ndarray],
        masks: MaskStore,
        num_frames: int,
        iters: int = DEFAULT_ITERS,
        reach: int = DEFAULT_REACH,
    ) -> None:
        self.interpolator = interpolator
        self.masks = masks
        self.num_frames = num_frames
        self.iters = iters
        self.reach = reach
        self._frame = frame
        self._frames: LRUCache[int, np.ndarray] = LRUCache(16)
        self._plates: LRUCache[tuple[int, tuple[int, ...]], Plate] = LRUCache(8)
        self._encoded: LRUCache[tuple[int, tuple[int, ...]], EncodedFrame] = LRUCache(4)
        self._between: LRUCache[tuple[float, tuple[int, ...]], tuple[np.ndarray, np.ndarray | None]] = LRUCache(4)
        self.registration = Registration(
            self.frame, lambda i: masks.union(list(range(masks.num_objects)), i), masks.height, masks.width
        )
        self.network_passes = 0

    def frame(self, index: int) -> np.ndarray:
        """Clip frame ``index`` (cached)."""
        found = self._frames.get(index)
        if found is None:
            found = self._frame(index)
            self._frames.put(index, found)
        return found

    def plate(self, index: int, removed: tuple[int, ...]) -> Plate:
        """Clip frame ``index`` with the objects ``removed`` taken out (the frame itself for none)."""
        if not removed:
            image = self.frame(index)
            return Plate(image, np.zeros(image.shape[:2], dtype=bool))
        found = self._plates.get((index, removed))
        if found is None:
            found = clean_plate(
                index, self.masks.union(list(removed), index), self.registration, self.num_frames, self.reach
            )
            self._plates.put((index, removed), found)
        return found

    def _encode(self, index: int, removed: tuple[int, ...]) -> EncodedFrame:
        found = self._encoded.get((index, removed))
        if found is None:
            found = self.interpolator.encode_frame(self.plate(index, removed).image)
            self._encoded.put((index, removed), found)
        return found

    def at(self, time: float, removed: tuple[int, ...] = (), with_flow: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The (plated) clip at ``time``: ``H x W x 3`` float32 in [0, 1] and its invented pixels (``H x W`` bool)."""
        a, fraction = split_time(time, self.num_frames)
        if fraction == 0.0:
            plate = self.plate(a, removed)
            return plate.image.astype(np.float32) / 255.0, plate.invented
        image, _ = self._network(a, fraction, removed, with_flow)
        invented = self.plate(a, removed).invented | self.plate(a + 1, removed).invented
        return image, invented

    def _network(
        self, a: int, fraction: float, removed: tuple[int, ...], with_flow: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        key = (round(a + fraction, 6), removed)
        found = self._between.get(key)
        if found is None or (with_flow and found[1] is None):
            pair = self.interpolator.encode_pair(self._encode(a, removed), self._encode(a + 1, removed))
            self.network_passes += 1
            if with_flow:
                found = self.interpolator.render_with_flow(pair, fraction, self.iters)
            else:
                found = (self.interpolator.render(pair, [fraction], self.iters)[0], None)
            self._between.put(key, found)
        return found

    def object_at(self, obj: int, time: float) -> tuple[np.ndarray, np.ndarray]:
        """Object ``obj`` as the clip shows it at ``time``: the frame there (``H x W x 3`` float32) and the object's
        soft mask on it (``H x W`` float32 in [0, 1])."""
        a, fraction = split_time(time, self.num_frames)
        if fraction == 0.0:
            return self.frame(a).astype(np.float32) / 255.0, self.masks.get(obj, a).astype(np.float32)
        image, flow = self._network(a, fraction, (), with_flow=True)
        assert flow is not None
        return image, carry_mask(self.masks.get(obj, a), self.masks.get(obj, a + 1), flow, fraction)

    def render(self, timing: Timing) -> Retimed:
        """The output frame for ``timing``."""
        differing = timing.differing()
        base, invented = self.at(timing.background, differing)
        if differing:
            first = differing[0]
            for obj in range(first, len(timing.objects)):
                time = timing.objects[obj] if obj in differing else timing.background
                layer, alpha = self.object_at(obj, time)
                if obj not in differing and not alpha.any():
                    continue
                base = paste(base, layer, soft_edge(alpha))
                invented &= alpha < 0.5
        image = np.clip(np.rint(base * 255.0), 0, 255).astype(np.uint8)
        return Retimed(image, invented)

    def render_all(self, timings: Sequence[Timing], progress: Progress | None = None) -> Iterator[Retimed]:
        """``render`` for each timing, in order, with ``progress(done, total)``."""
        for done, timing in enumerate(timings, start=1):
            yield self.render(timing)
            if progress is not None:
                progress(done, len(timings))
