"""Evaluation against ground truth: PSNR and SSIM per target frame, per position and overall.

Layouts:

* **triplets**: ``ROOT/<seq>/{frame0,gt,frame1}.png``, ground truth at t = 0.5 (UCF101, Middlebury-style sets);
* **septuplets** (Vimeo-90K): ``ROOT/<seq>/im1..im7.png``; ``(im1, im7) -> im2..im6`` at t = k/6, with the
  precomputed distance maps ``dis_index_0_k_6.npy`` when present (else uniform maps).

Distance maps are prepared as in training (``interp.research.maps``): resized to the frame size (the official files
are stored at half resolution), clipped to [0, 1] and blurred (``MapOptions``; the reference benchmark's
``--clip --blur``). LPIPS is added to every score when its weights are present (``interp.research.lpips``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from interp.core.progress import Progress
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.io.images import read_image
from interp.research.lpips import LPIPS
from interp.research.maps import MapOptions, load_map
from interp.research.metrics import psnr, quantize, ssim


@dataclass(frozen=True)
class Target:
    """One frame to predict: its time, ground-truth file and optional distance map file."""

    t: float
    gt: Path
    distance_map: Path | None = None


@dataclass(frozen=True)
class Sample:
    """Two input frames and the frames between them to predict."""

    name: str
    frame0: Path
    frame1: Path
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Score:
    """Metrics of one predicted frame."""

    sample: str
    t: float
    psnr: float
    ssim: float
    lpips: float | None = None


@dataclass
class Report:
    """All scores, with means overall and per position."""

    scores: list[Score] = field(default_factory=list)

    @property
    def mean_psnr(self) -> float:
        return float(np.mean([s.psnr for s in self.scores]))

    @property
    def mean_ssim(self) -> float:
        return float(np.mean([s.ssim for s in self.scores]))

    @property
    def mean_lpips(self) -> float | None:
        """Mean LPIPS, or ``None`` when it was not measured."""
        values = [s.lpips for s in self.scores if s.lpips is not None]
        return float(np.mean(values)) if values else None

    def lpips_by_position(self) -> dict[float, float]:
        """Mean LPIPS per target time (empty when it was not measured)."""
        groups: dict[float, list[float]] = defaultdict(list)
        for score in self.scores:
            if score.lpips is not None:
                groups[round(score.t, 6)].append(score.lpips)
        return {t: float(np.mean(values)) for t, values in sorted(groups.items())}

    def by_position(self) -> dict[float, tuple[float, float]]:
        """Mean (PSNR, SSIM) per target time."""
        groups: dict[float, list[Score]] = defaultdict(list)
        for score in self.scores:
            groups[round(score.t, 6)].append(score)
        return {
            t: (float(np.mean([s.psnr for s in group])), float(np.mean([s.ssim for s in group])))
            for t, group in sorted(groups.items())
        }


def find_triplets(root: Path) -> list[Sample]:
    """Samples of a ``<seq>/{frame0,gt,frame1}.png`` tree, sorted naturally by folder name."""
    folders = [p.parent for p in root.glob("*/gt.png")]
    return [
        Sample(f.name, f / "frame0.png", f / "frame1.png", (Target(0.5, f / "gt.png"),))
        for f in sorted(folders, key=_natural_key)
    ]


def find_septuplets(root: Path, uniform: bool = False) -> list[Sample]:
    """Samples of a Vimeo-90K septuplet tree (``<seq>/im1..im7.png``, possibly nested two levels)."""
    folders = sorted({p.parent for p in root.rglob("im7.png")}, key=lambda p: str(p))
    samples = []
    for folder in folders:
        targets = []
        for k in range(1, 6):
            dmap = folder / f"dis_index_0_{k}_6.npy"
            use_map = None if uniform or not dmap.is_file() else dmap
            targets.append(Target(k / 6, folder / f"im{k + 1}.png", use_map))
        name = str(folder.relative_to(root)) if folder != root else folder.name
        samples.append(Sample(name, folder / "im1.png", folder / "im7.png", tuple(targets)))
    return samples


def discover(root: Path | str, uniform: bool = False) -> list[Sample]:
    """Find samples in either layout; raise ``InputError`` if there are none."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"no such folder: {root}")
    samples = find_triplets(root) or find_septuplets(root, uniform)
    if not samples:
        raise InputError(
            f"{root} holds neither <seq>/{{frame0,gt,frame1}}.png triplets nor <seq>/im1..im7.png septuplets"
        )
    return samples


def _natural_key(path: Path) -> tuple[int, str]:
    return (int(path.name), "") if path.name.isdigit() else (1 << 30, path.name)


def _load_map(target: Target, height: int, width: int, options: MapOptions) -> float | np.ndarray:
    if target.distance_map is None:
        return target.t
    return load_map(target.distance_map, height, width, options, fallback=target.t)


def evaluate(
    interpolator: Interpolator,
    samples: Sequence[Sample],
    iters: int = 2,
    progress: Progress | None = None,
    map_options: MapOptions | None = None,
    lpips: LPIPS | None = None,
) -> Report:
    """Predict every target of every sample and score it (outputs quantised to 8 bits, as saved files would be).

    ``map_options``: how distance maps are prepared (default ``MapOptions()``: clip, 9 x 9 blur). ``lpips``: also
    score LPIPS with this metric.
    """
    options = map_options or MapOptions()
    report = Report()
    for index, sample in enumerate(samples):
        img0, img1 = read_image(sample.frame0), read_image(sample.frame1)
        pair = interpolator.encode_pair(img0, img1)
        maps = [_load_map(t, *pair.size, options) for t in sample.targets]
        for target, frame in zip(sample.targets, interpolator.iter_render(pair, maps, iters=iters), strict=True):
            gt = read_image(target.gt).astype(np.float32) / 255.0
            prediction = quantize(frame)
            perceptual = None if lpips is None else lpips.distance(prediction, gt)
            score = Score(sample.name, target.t, psnr(prediction, gt), ssim(prediction, gt), perceptual)
            report.scores.append(score)
        if progress is not None:
            progress(index + 1, len(samples))
    return report
