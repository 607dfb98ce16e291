"""What one training sample of each variant is, after InterpAny-Clearer's recipe (pure functions of a random generator).

From a septuplet, three distinct frames ``a < b < c`` are drawn; ``b`` is the ground truth. With probability 1/2
time is reversed: ``c`` becomes the first input and ``a`` the second (``reverse``). The condition map is:

* T: the constant time ratio ``(gt - img0) / (img1 - img0)`` (``1 - t`` when reversed);
* D: the stored index ``dis_index_{img0}_{gt}_{img1}.npy``; reversed, that is the file of the other direction, on
  the grid of the new first frame (which the reference's indexer writes for this purpose);
* TR / DR (the ``--no_order`` recipe of the released [T,R] and [D,R] runs): a "current" frame ``r`` is drawn
  uniformly from ``a..c`` (inclusive, independent of ``b``); the condition is ``[target map, previous map, frame r]``
  where the target map is as T / D and the previous map is the map of ``r``: 0 where ``r`` is the first input, 1
  where it is the second, else the time ratio (TR) or ``dis_index_{img0}_{r}_{img1}.npy`` (DR).

This teaches the [R] networks the step the engine takes at inference: from the frame rendered at the previous map
to the frame at the target map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interp.errors import InputError
from interp.research.distance_index import time_ratio
from interp.research.vimeo import SEPTUPLET_LENGTH


@dataclass(frozen=True)
class Variant:
    """A trainable variant: its registry model, whether its maps are distances, whether it is iterative."""

    name: str
    model: str
    distance: bool
    recurrent: bool


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("T", "T-RIFE", distance=False, recurrent=False),
        Variant("D", "D-RIFE", distance=True, recurrent=False),
        Variant("TR", "TR-RIFE", distance=False, recurrent=True),
        Variant("DR", "DR-RIFE", distance=True, recurrent=True),
    )
}


def get_variant(name: str) -> Variant:
    """Look a variant up by name (case-insensitive)."""
    variant = VARIANTS.get(name.upper())
    if variant is None:
        raise InputError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
    return variant


#: Network families ``python -m interp train --model`` trains; only RIFE has the time-indexed T / TR variants.
FAMILIES = ("RIFE", "AMT-S", "IFRNet", "EMA-VFI")


def family_variant(family: str, name: str) -> Variant:
    """The variant ``name`` of ``family`` (``("AMT-S", "DR")`` -> model ``DR-AMT-S``). The samples are the same for
    every family: the reference's AMT-S / IFRNet / EMA-VFI datasets draw frames, reference frames and maps as
    RIFE's."""
    variant = get_variant(name)
    known = {f.lower(): f for f in FAMILIES}
    if family.lower() not in known:
        raise InputError(f"unknown model family {family!r}; known: {', '.join(FAMILIES)}")
    family = known[family.lower()]
    if family == "RIFE":
        return variant
    if not variant.distance:
        raise InputError(f"{family} has the D and DR variants only (T and TR are RIFE's), got {name!r}")
    return Variant(variant.name, f"{variant.name}-{family}", variant.distance, variant.recurrent)


@dataclass(frozen=True)
class FrameChoice:
    """Frame indices (0-based) of one sample: inputs, ground truth and, for [R] variants, the current frame."""

    img0: int
    gt: int
    img1: int
    current: int | None = None

    @property
    def reversed(self) -> bool:
        """Whether time runs backwards (the first input is the later frame)."""
        return self.img0 > self.img1


#: A map source: a constant value, or the ``(i, j, k)`` of a stored index file.
MapSource = float | tuple[int, int, int]


def choose_frames(
    rng: np.random.Generator, recurrent: bool, allow_reverse: bool = True, length: int = SEPTUPLET_LENGTH
) -> FrameChoice:
    """Draw a sample's frames as the reference does (see the module docstring)."""
    if length < 3:
        raise InputError(f"need at least 3 frames to draw a triplet, got {length!r}")
    a, b, c = (int(v) for v in sorted(rng.choice(length, size=3, replace=False)))
    reverse = allow_reverse and bool(rng.random() < 0.5)
    current = int(rng.integers(a, c + 1)) if recurrent else None
    return FrameChoice(c, b, a, current) if reverse else FrameChoice(a, b, c, current)


def map_source(img0: int, j: int, img1: int, distance: bool) -> MapSource:
    """Where the map of frame ``j`` between ``img0`` and ``img1`` comes from."""
    if j == img0:
        return 0.0
    if j == img1:
        return 1.0
    return (img0, j, img1) if distance else time_ratio(img0, j, img1)


def condition_sources(choice: FrameChoice, variant: Variant) -> list[MapSource]:
    """The map channels of a sample: ``[target]``, or ``[target, previous]`` for the [R] variants."""
    sources = [map_source(choice.img0, choice.gt, choice.img1, variant.distance)]
    if variant.recurrent:
        if choice.current is None:
            raise InputError("an [R] variant's sample needs a current frame")
        sources.append(map_source(choice.img0, choice.current, choice.img1, variant.distance))
    return sources
