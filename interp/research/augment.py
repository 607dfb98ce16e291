"""Spatial and colour augmentations of a training sample, after the reference recipe (pure numpy).

Order, each with probability 1/2 unless said: random crop; reverse the colour channels (BGR <-> RGB); flip up/down;
flip left/right; rotate by 90 degrees clockwise, 180, or 90 counter-clockwise (1/4 each; square crops only, since a
quarter turn would change a non-square crop's shape: those get the 180 degree turn with probability 1/4).

Distance maps move with the pixels and keep their values: a spatial transform changes both flows of the projection
ratio the same way, so the ratio is unchanged. Temporal reversal is not here: it changes which files are read
(``recipe.choose_frames``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from interp.errors import InputError


@dataclass(frozen=True)
class TrainSample:
    """One sample before batching.

    Attributes:
        img0, img1, gt: ``H x W x 3`` uint8, BGR (the channel order the RIFE networks were trained on).
        maps: ``H x W x C`` float32, C = 1 (target map) or 2 (target, previous) for the [R] variants.
        current: ``H x W x 3`` uint8 BGR, the [R] variants' current frame; ``None`` otherwise.
    """

    img0: np.ndarray
    img1: np.ndarray
    gt: np.ndarray
    maps: np.ndarray
    current: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.img0.shape[0], self.img0.shape[1]

    def spatial(self, transform: Callable[[np.ndarray], np.ndarray]) -> TrainSample:
        """Apply the same spatial ``transform`` to every image and the maps."""
        return TrainSample(
            transform(self.img0),
            transform(self.img1),
            transform(self.gt),
            transform(self.maps),
            None if self.current is None else transform(self.current),
        )


def crop(sample: TrainSample, top: int, left: int, height: int, width: int) -> TrainSample:
    """The ``height x width`` window at ``(top, left)`` of every array."""
    full_h, full_w = sample.size
    if not (0 <= top <= full_h - height and 0 <= left <= full_w - width):
        raise InputError(f"a {width}x{height} crop at ({left}, {top}) does not fit a {full_w}x{full_h} sample")
    return sample.spatial(lambda a: a[top : top + height, left : left + width])


def random_crop(sample: TrainSample, height: int, width: int, rng: np.random.Generator) -> TrainSample:
    """A uniformly placed ``height x width`` crop."""
    full_h, full_w = sample.size
    if height > full_h or width > full_w:
        raise InputError(f"crop {width}x{height} is larger than the frames ({full_w}x{full_h})")
    return crop(
        sample, int(rng.integers(0, full_h - height + 1)), int(rng.integers(0, full_w - width + 1)), height, width
    )


def reverse_channels(sample: TrainSample) -> TrainSample:
    """BGR <-> RGB on every image (maps unchanged)."""
    flip = lambda a: a[..., ::-1]  # noqa: E731 - a one-line transform reads best inline
    return replace(
        sample,
        img0=flip(sample.img0),
        img1=flip(sample.img1),
        gt=flip(sample.gt),
        current=None if sample.current is None else flip(sample.current),
    )


def flip_vertical(sample: TrainSample) -> TrainSample:
    return sample.spatial(lambda a: a[::-1])


def flip_horizontal(sample: TrainSample) -> TrainSample:
    return sample.spatial(lambda a: a[:, ::-1])


def rotate(sample: TrainSample, quarter_turns: int) -> TrainSample:
    """Rotate counter-clockwise by ``quarter_turns`` x 90 degrees (negative: clockwise)."""
    return sample.spatial(lambda a: np.rot90(a, quarter_turns, axes=(0, 1)))


def augment(sample: TrainSample, crop_size: tuple[int, int], rng: np.random.Generator) -> TrainSample:
    """The full training augmentation (see the module docstring); arrays come back contiguous."""
    sample = random_crop(sample, *crop_size, rng)
    if rng.random() < 0.5:
        sample = reverse_channels(sample)
    if rng.random() < 0.5:
        sample = flip_vertical(sample)
    if rng.random() < 0.5:
        sample = flip_horizontal(sample)
    p = rng.random()
    if crop_size[0] != crop_size[1]:
        turns = 2 if p < 0.25 else 0
    else:
        turns = -1 if p < 0.25 else 2 if p < 0.5 else 1 if p < 0.75 else 0
    if turns:
        sample = rotate(sample, turns)
    return sample.spatial(np.ascontiguousarray)
