"""The training dataset: random triplets (and current frames) from septuplets, with their maps, augmented.

Frames are read with OpenCV, i.e. **BGR**, the order the engine feeds the RIFE family (``ModelSpec.bgr_input``).
Each ``__getitem__`` draws a fresh random sample from septuplet ``index`` (an epoch visits every septuplet once, as
the reference's). Randomness comes from one ``numpy`` generator per process, seeded from ``torch.initial_seed()``,
which PyTorch makes distinct per ``DataLoader`` worker and per epoch; it is spawn-safe.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from interp.errors import InputError
from interp.research.augment import TrainSample, augment
from interp.research.distance_index import index_name, ordered_triples, time_ratio
from interp.research.maps import MapOptions, load_map
from interp.research.recipe import FrameChoice, MapSource, Variant, choose_frames, condition_sources
from interp.research.vimeo import SEPTUPLET_LENGTH, Septuplet

#: The network's side lengths must be a multiple of this (``IFNetDI.pad_multiple()`` at scale 1).
CROP_MULTIPLE = 32


def index_command(root: Path | str) -> str:
    """The command that writes the index files a dataset lacks."""
    return f"python -m interp dataset index --root {root}"


def missing_index_file(septuplets: Sequence[Septuplet]) -> Path | None:
    """The first missing ``dis_index_*.npy`` among all 70 of every septuplet (one directory listing each), or None."""
    names = [index_name(*t) for t in ordered_triples(SEPTUPLET_LENGTH)]
    for septuplet in septuplets:
        try:
            present = set(os.listdir(septuplet.folder))
        except OSError:
            return septuplet.folder / names[0]
        for name in names:
            if name not in present:
                return septuplet.folder / name
    return None


def read_bgr(path: Path) -> np.ndarray:
    """An image file as ``H x W x 3`` uint8 BGR (``InputError`` naming the file when unreadable)."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise InputError(f"cannot read image {path} (missing or not an image)")
    return image


def check_crop(crop: tuple[int, int]) -> tuple[int, int]:
    """A crop of positive multiples of ``CROP_MULTIPLE``."""
    if any(side < CROP_MULTIPLE or side % CROP_MULTIPLE for side in crop):
        raise InputError(f"crop sides must be positive multiples of {CROP_MULTIPLE}, got {crop[1]}x{crop[0]}")
    return crop


class SeptupletTriplets(Dataset):
    """Training samples of ``variant`` from ``septuplets`` as dicts of tensors.

    Items: ``images`` uint8 ``9 x h x w`` (img0, img1, gt; BGR), ``maps`` float32 ``C x h x w`` (C = 1, or 2 for the
    [R] variants), and for the [R] variants ``current`` uint8 ``3 x h x w`` (BGR).

    Args:
        septuplets: where to draw from.
        variant: which recipe (``recipe.VARIANTS``).
        crop: ``(height, width)`` of the random crop, or ``None`` for whole frames without augmentation.
        map_options: how stored distance maps are prepared (clip, blur).
        root: the dataset folder, for the "run dataset index" hint in errors.
    """

    def __init__(
        self,
        septuplets: Sequence[Septuplet],
        variant: Variant,
        crop: tuple[int, int] | None = (224, 224),
        map_options: MapOptions | None = None,
        root: Path | str | None = None,
    ) -> None:
        if not septuplets:
            raise InputError("no septuplets to train on")
        self.septuplets = list(septuplets)
        self.variant = variant
        self.crop = None if crop is None else check_crop(crop)
        self.map_options = map_options or MapOptions()
        self.root = root if root is not None else self.septuplets[0].folder.parent
        self._rng: np.random.Generator | None = None

    def __len__(self) -> int:
        return len(self.septuplets)

    def _generator(self) -> np.random.Generator:
        if self._rng is None:
            self._rng = np.random.default_rng(torch.initial_seed() % (1 << 63))
        return self._rng

    def _map(self, septuplet: Septuplet, source: MapSource, height: int, width: int) -> np.ndarray:
        if isinstance(source, float):
            return np.full((height, width), source, dtype=np.float32)
        i, j, k = source
        path = septuplet.index_file(i, j, k)
        if not path.is_file():
            raise InputError(
                f"missing distance index {path}; the {self.variant.name} variant needs the dis_index_*.npy files "
                f"next to the frames: run `{index_command(self.root)}` first"
            )
        return load_map(path, height, width, self.map_options, fallback=time_ratio(i, j, k))

    def load(self, septuplet: Septuplet, choice: FrameChoice) -> TrainSample:
        """The un-augmented sample of ``choice``: whole frames, prepared maps."""
        img0, img1, gt = (read_bgr(septuplet.frame(n)) for n in (choice.img0, choice.img1, choice.gt))
        height, width = img0.shape[:2]
        for name, image in (("img1", img1), ("gt", gt)):
            if image.shape != img0.shape:
                raise InputError(f"septuplet {septuplet.name}: {name} is {image.shape}, img0 is {img0.shape}")
        maps = [self._map(septuplet, s, height, width) for s in condition_sources(choice, self.variant)]
        current = read_bgr(septuplet.frame(choice.current)) if choice.current is not None else None
        return TrainSample(img0, img1, gt, np.stack(maps, axis=-1), current)

    def sample(self, index: int, rng: np.random.Generator) -> TrainSample:
        """Draw, load and augment one sample of septuplet ``index``."""
        training = self.crop is not None
        choice = choose_frames(rng, self.variant.recurrent, allow_reverse=training)
        sample = self.load(self.septuplets[index], choice)
        return augment(sample, self.crop, rng) if self.crop is not None else sample

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return to_tensors(self.sample(index, self._generator()))


def to_tensors(sample: TrainSample) -> dict[str, torch.Tensor]:
    """A sample as the dataset's item dict (channels first)."""
    images = np.concatenate((sample.img0, sample.img1, sample.gt), axis=-1)
    item = {
        "images": torch.from_numpy(np.ascontiguousarray(images.transpose(2, 0, 1))),
        "maps": torch.from_numpy(np.ascontiguousarray(sample.maps.transpose(2, 0, 1))),
    }
    if sample.current is not None:
        item["current"] = torch.from_numpy(np.ascontiguousarray(sample.current.transpose(2, 0, 1)))
    return item
