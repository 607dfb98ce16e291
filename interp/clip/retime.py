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

from interp.clip.plates import DEFAULT_REACH, Plate, Registration, clean_plate, grow, grow_px
from interp.clip.store import Masks, union
from interp.core.composite import WINDOW_MARGIN_PX, paste_window
from interp.core.curves import Curve, output_times
from interp.core.lru import LRUCache
from interp.core.progress import Progress
from interp.engine.interpolator import DEFAULT_ITERS, EncodedFrame, FramePair, Interpolator

#: Times closer than this (frames) are the same time: an object there stays in the background's frame.
SAME_TIME = 1e-3
#: Soft edge of a pasted object (Gaussian sigma, pixels).
EDGE_SIGMA = 1.0
#: A carried mask counts from this value on when it marks what a plate must replace.
CARRIED_LEVEL = 0.02
#: Plate windows are widened to whole blocks of this many pixels (the network's grid).
BLOCK_PX = 64
#: A window larger than this share of the frame is rendered as the whole frame.
MAX_WINDOW_SHARE = 0.6

Window = tuple[int, int, int, int]


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


def bounding_window(region: np.ndarray, margin: int = WINDOW_MARGIN_PX) -> Window | None:
    """``(top, left, height, width)`` of ``region``'s (``H x W`` bool) bounding box grown by ``margin`` and kept
    inside the frame; None for an empty region."""
    rows, cols = np.nonzero(region.any(axis=1))[0], np.nonzero(region.any(axis=0))[0]
    if not len(rows):
        return None
    height, width = region.shape
    top, left = max(0, rows[0] - margin), max(0, cols[0] - margin)
    bottom, right = min(height, rows[-1] + 1 + margin), min(width, cols[-1] + 1 + margin)
    return int(top), int(left), int(bottom - top), int(right - left)


def crop(array: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    """The ``height x width`` window of ``array`` (``H x W [x C]``) at ``(top, left)``, zero where it reaches past
    the frame (a window may start in the network's padding)."""
    out = np.zeros((height, width, *array.shape[2:]), dtype=array.dtype)
    return paste_window(out, array, -top, -left)


@dataclass(frozen=True)
class Retimed:
    """One output frame: ``image`` ``H x W x 3`` uint8 RGB and ``invented`` (``H x W`` bool) where it shows
    background that no clip frame showed."""

    image: np.ndarray
    invented: np.ndarray


class Retimer:
    """Renders output frames of a retimed clip from its frames and every object's mask on every frame.

    Network frames are rendered on a window around what they are needed for when that is clearly smaller than the
    frame (an object's region at its own time, the part of the background a plate replaces), as the two-frame
    renderer does: an object small in the frame costs a small network pass.

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
        masks: Masks,
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
        self._pairs: LRUCache[tuple[int, tuple[int, ...]], FramePair] = LRUCache(2)
        self._between: LRUCache[tuple, tuple[np.ndarray, np.ndarray | None, tuple[int, int]]] = LRUCache(6)
        self._windows: LRUCache[tuple, tuple[np.ndarray, np.ndarray | None, tuple[int, int]]] = LRUCache(8)
        self.registration = Registration(
            self.frame, lambda i: union(masks, range(masks.num_objects), i), masks.height, masks.width
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
                index, union(self.masks, removed, index), self.registration, self.num_frames, self.reach
            )
            self._plates.put((index, removed), found)
        return found

    def _encode(self, index: int, removed: tuple[int, ...]) -> EncodedFrame:
        found = self._encoded.get((index, removed))
        if found is None:
            found = self.interpolator.encode_frame(self.plate(index, removed).image)
            self._encoded.put((index, removed), found)
        return found

    def _pair(self, a: int, removed: tuple[int, ...]) -> FramePair:
        found = self._pairs.get((a, removed))
        if found is None:
            found = self.interpolator.encode_pair(self._encode(a, removed), self._encode(a + 1, removed))
            self._pairs.put((a, removed), found)
        return found

    def _network(
        self, a: int, fraction: float, removed: tuple[int, ...], with_flow: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
        """The network's whole frame at ``a + fraction`` between the (plated) clip frames ``a`` and ``a + 1``:
        ``(image, flow or None, (0, 0))``, the image ``H x W x 3`` float32 in [0, 1]."""
        key = (round(a + fraction, 6), removed)
        found = self._between.get(key)
        if found is None or (with_flow and found[1] is None):
            pair = self._pair(a, removed)
            self.network_passes += 1
            if with_flow:
                image, flow = self.interpolator.render_with_flow(pair, fraction, self.iters)
                found = (image, flow, (0, 0))
            else:
                found = (self.interpolator.render(pair, [fraction], self.iters)[0], None, (0, 0))
            self._between.put(key, found)
        return found

    def _windowed(
        self, a: int, fraction: float, removed: tuple[int, ...], window: Window | None, with_flow: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
        """The network's frame at ``a + fraction`` between the (plated) frames ``a`` and ``a + 1`` on ``window``
        widened to whole blocks of ``BLOCK_PX``: the two windows encoded as a pair of their own, so a small object
        or a small plate costs a small pass. The whole frame (``_network``) when the window is not clearly smaller.
        Returns ``(image, flow or None, (top, left))`` as ``_network`` does."""
        height, width = self.masks.height, self.masks.width
        box = None
        if window is not None:
            top, left, h, w = window
            y0, x0 = top // BLOCK_PX * BLOCK_PX, left // BLOCK_PX * BLOCK_PX
            y1 = min(height, -(-(top + h) // BLOCK_PX) * BLOCK_PX)
            x1 = min(width, -(-(left + w) // BLOCK_PX) * BLOCK_PX)
            if (y1 - y0) * (x1 - x0) <= MAX_WINDOW_SHARE * height * width:
                box = (y0, x0, y1, x1)
        if box is None:
            return self._network(a, fraction, removed, with_flow=with_flow)
        key = (round(a + fraction, 6), removed, box)
        found = self._windows.get(key)
        if found is None or (with_flow and found[1] is None):
            y0, x0, y1, x1 = box
            pair = self.interpolator.encode_pair(*(self.plate(i, removed).image[y0:y1, x0:x1] for i in (a, a + 1)))
            self.network_passes += 1
            if with_flow:
                image, flow = self.interpolator.render_with_flow(pair, fraction, self.iters)
                found = (image, flow, (y0, x0))
            else:
                found = (self.interpolator.render(pair, [fraction], self.iters)[0], None, (y0, x0))
            self._windows.put(key, found)
        return found

    def at(self, time: float, removed: tuple[int, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
        """The (plated) clip at ``time``: ``H x W x 3`` float32 in [0, 1] and its invented pixels (``H x W`` bool).

        Between frames with objects taken out: the network's frame between the clip frames, and within the region
        the removed objects cover (at both frames and carried to ``time``) the network's frame between the plates.
        """
        a, fraction = split_time(time, self.num_frames)
        if fraction == 0.0:
            plate = self.plate(a, removed)
            return plate.image.astype(np.float32) / 255.0, plate.invented
        plain, flow, _ = self._network(a, fraction, (), with_flow=bool(removed))
        if not removed:
            return plain, np.zeros(plain.shape[:2], dtype=bool)
        assert flow is not None
        region = np.zeros(plain.shape[:2], dtype=bool)
        for obj in removed:
            mask_a, mask_b = self.masks.get(obj, a), self.masks.get(obj, a + 1)
            region |= mask_a | mask_b | (carry_mask(mask_a, mask_b, flow, fraction) > CARRIED_LEVEL)
        region = grow(region, grow_px(*region.shape))
        clean, _, (top, left) = self._windowed(a, fraction, removed, bounding_window(region))
        alpha = soft_edge(region.astype(np.float32))
        image = paste(plain, paste_window(plain, clean, top, left), alpha)
        invented = (self.plate(a, removed).invented | self.plate(a + 1, removed).invented) & region
        return image, invented

    def object_at(self, obj: int, time: float) -> tuple[np.ndarray, np.ndarray]:
        """Object ``obj`` as the clip shows it at ``time``: the frame there (``H x W x 3`` float32; outside the
        object's window it is zero) and the object's soft mask on it (``H x W`` float32 in [0, 1])."""
        a, fraction = split_time(time, self.num_frames)
        if fraction == 0.0:
            return self.frame(a).astype(np.float32) / 255.0, self.masks.get(obj, a).astype(np.float32)
        mask_a, mask_b = self.masks.get(obj, a), self.masks.get(obj, a + 1)
        image, flow, (top, left) = self._windowed(a, fraction, (), bounding_window(mask_a | mask_b), with_flow=True)
        assert flow is not None
        height, width = image.shape[:2]
        carried = carry_mask(
            crop(mask_a, top, left, height, width), crop(mask_b, top, left, height, width), flow, fraction
        )
        shape = mask_a.shape
        layer = paste_window(np.zeros((*shape, 3), np.float32), image, top, left)
        alpha = paste_window(np.zeros((*shape, 1), np.float32), carried[..., None], top, left)[..., 0]
        return layer, alpha

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
