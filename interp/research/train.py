"""Training InterpAny-Clearer's networks after each family's reference recipe, on CPU or GPU: RIFE (T, D, TR, DR),
AMT-S, IFRNet and EMA-VFI (D, DR).

``Trainer(config).run()`` draws samples (``dataset.SeptupletTriplets``), minimises the loss of the family's recipe
(``families.recipe_for``: RIFE's teacher and distillation, AMT-S / IFRNet's Charbonnier + ternary, EMA-VFI's
Laplacian L1 with its merged frames) with AdamW under its warm-up + cosine schedule (``schedule.WarmupCosine``),
validates on held-out septuplets through the same engine and evaluation code as ``python -m interp eval``, and saves
checkpoints in the family's official layout (``checkpoint``) that ``Interpolator.load(model, checkpoint=run_dir)``
reads. ``RUN_DIR/train_log.csv`` logs loss and validation figures.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from interp.engine.device import pick_device
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.models.builders import build_network
from interp.models.registry import get_spec
from interp.models.weights import network_params
from interp.research.checkpoint import (
    TrainingState,
    checkpoint_path,
    load_initial_weights,
    read_training_state,
    write_family_config,
)
from interp.research.dataset import SeptupletTriplets, index_command, missing_index_file
from interp.research.evaluate import Report, Sample, evaluate, find_septuplets
from interp.research.families import Batch, LossFn, Terms, recipe_for, rife_loss, to_batch
from interp.research.losses import DISTILL_WEIGHT
from interp.research.maps import REFERENCE_BLUR, MapOptions
from interp.research.recipe import Variant, family_variant
from interp.research.schedule import WarmupCosine
from interp.research.vimeo import Septuplet, default_lists, list_septuplets, split_validation

#: ``progress(step, total, losses)``: called after each training step with its loss terms.
TrainProgress = Callable[[int, int, dict[str, float]], None]
LOG_NAME = "train_log.csv"
VAL_FRACTION = 0.05
MAX_DEFAULT_VAL = 100

__all__ = ["Batch", "to_batch"]  # re-exported: where the training loop's batches are made


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run needs (the CLI's options). See ``python -m interp train --help``."""

    variant: str
    data: Path
    out: Path
    model: str = "RIFE"
    lists: tuple[str, ...] = ()
    val_lists: tuple[str, ...] = ()
    val_count: int | None = None
    steps: int | None = None
    epochs: int | None = None
    batch_size: int = 16
    crop: int | None = None
    lr: float | None = None
    warmup: int | None = None
    weight_decay: float | None = None
    distill_weight: float = DISTILL_WEIGHT
    map_blur: int = REFERENCE_BLUR
    workers: int = 2
    device: str | None = None
    resume: bool = False
    init: Path | None = None
    val_every: int = 1000
    save_every: int = 1000
    log_every: int = 50
    val_iters: int = 2
    seed: int = 1234
    #: the network's size where a family has several (AMT-S: its YAML ``network.params``; EMA-VFI: width, depths).
    network_params: Mapping[str, Any] = field(default_factory=dict)


def default_val_count(septuplets: int) -> int:
    """Held-out septuplets by default: the reference's last 5% of the training list, at least 1 and at most
    ``MAX_DEFAULT_VAL`` (5% of Vimeo-90K is 3230 septuplets: too many to score every ``val_every`` steps)."""
    return max(1, min(MAX_DEFAULT_VAL, round(VAL_FRACTION * septuplets)))


def train_step(
    network: nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: Batch,
    lr: float,
    loss: LossFn = rife_loss,
    distill_weight: float = DISTILL_WEIGHT,
) -> Terms:
    """One optimisation step of ``loss`` (a recipe's) at learning rate ``lr``; returns the loss terms of the batch
    before the step."""
    for group in optimizer.param_groups:
        group["lr"] = lr
    network.train()
    terms = loss(network, batch, distill_weight)
    optimizer.zero_grad(set_to_none=True)
    terms.total.backward()
    optimizer.step()
    return terms


@torch.no_grad()
def batch_loss(
    network: nn.Module, batch: Batch, loss: LossFn = rife_loss, distill_weight: float = DISTILL_WEIGHT
) -> Terms:
    """The loss of a batch without updating anything."""
    return loss(network, batch, distill_weight)


def make_optimizer(network: nn.Module, weight_decay: float = 1e-3) -> torch.optim.AdamW:
    """AdamW as the reference (its learning rate is set every step)."""
    return torch.optim.AdamW(network.parameters(), lr=1e-6, weight_decay=weight_decay)


def validation_samples(septuplets: list[Septuplet], variant: Variant, root: Path) -> list[Sample]:
    """(im1, im7) -> im2..im6 of each septuplet: uniform maps for T/TR, stored maps for D/DR (which must exist)."""
    samples = [s for septuplet in septuplets for s in find_septuplets(septuplet.folder, uniform=not variant.distance)]
    for sample in samples:
        if variant.distance and any(t.distance_map is None for t in sample.targets):
            raise InputError(
                f"validation septuplet {sample.frame0.parent} lacks dis_index_0_k_6.npy maps; "
                f"run `{index_command(root)}` first"
            )
    return samples


def validate(
    network: nn.Module, variant: Variant, samples: list[Sample], device: torch.device, iters: int, blur: int
) -> Report:
    """Score ``samples`` with the engine (as ``python -m interp eval`` would); leaves the network in train mode."""
    spec = get_spec(variant.model)
    try:
        interpolator = Interpolator(network, spec, device=device, channels_last=False)
        return evaluate(interpolator, samples, iters=iters, map_options=MapOptions(blur=blur))
    finally:
        network.train()


@dataclass
class TrainResult:
    """What a run did: final step, loss of the last logged interval, validation history, checkpoint."""

    step: int
    loss: float | None
    validations: list[tuple[int, float]] = field(default_factory=list)
    checkpoint: Path | None = None


class Trainer:
    """One training run (see the module docstring). ``progress`` gets ``(step, total, postfix)`` after each step."""

    def __init__(self, config: TrainConfig, progress: TrainProgress | None = None) -> None:
        self.config = config
        self.variant = family_variant(config.model, config.variant)
        self.spec = get_spec(self.variant.model)
        self.recipe = recipe_for(self.spec)
        self.crop = config.crop or self.recipe.crop
        self.device = pick_device(config.device)
        self.progress = progress
        self.checkpoint = checkpoint_path(config.out, self.spec)
        self._check_run_folder()
        self.train_set, self.val_set = self._septuplets()
        if self.variant.distance:
            self._check_index_files()
        self.dataset = SeptupletTriplets(
            self.train_set, self.variant, (self.crop, self.crop), MapOptions(blur=config.map_blur), config.data
        )
        if config.batch_size > len(self.dataset):
            raise InputError(f"batch size {config.batch_size} is larger than the {len(self.dataset)} septuplets")
        self.steps_per_epoch = len(self.dataset) // config.batch_size
        self.total_steps = config.steps or (config.epochs or 1) * self.steps_per_epoch
        self.val_samples = validation_samples(self.val_set, self.variant, config.data) if self.val_set else []
        torch.manual_seed(config.seed)  # a reproducible initialisation
        state = read_training_state(self.checkpoint) if config.resume else None
        self.network = self._build(state).to(self.device)
        self._check_crop()
        weight_decay = config.weight_decay if config.weight_decay is not None else self.recipe.weight_decay
        self.optimizer = make_optimizer(self.network, weight_decay)
        self.schedule = WarmupCosine(
            config.lr or self.recipe.peak_lr(config.batch_size),
            self.total_steps,
            config.warmup if config.warmup is not None else self.recipe.warmup_steps(self.total_steps),
            self.recipe.floor_ratio,
        )
        self.step, self.epoch = 0, 0
        self._restore(state)

    # ---------------------------------------------------------------- set-up
    def _check_run_folder(self) -> None:
        if self.config.resume and not self.checkpoint.is_file():
            raise InputError(f"--resume: no checkpoint at {self.checkpoint}")
        if not self.config.resume and self.checkpoint.is_file():
            raise InputError(
                f"{self.config.out} already holds a checkpoint ({self.checkpoint}); pass --resume to continue it "
                "or choose another --out"
            )

    def _septuplets(self) -> tuple[list[Septuplet], list[Septuplet]]:
        config = self.config
        lists = config.lists or tuple(str(p) for p in default_lists(config.data)[:1])
        septuplets = list_septuplets(config.data, lists)
        if config.val_lists:
            return septuplets, list_septuplets(config.data, config.val_lists)
        count = config.val_count if config.val_count is not None else default_val_count(len(septuplets))
        return split_validation(septuplets, min(count, len(septuplets) - 1))

    def _check_index_files(self) -> None:
        missing = missing_index_file(self.train_set)
        if missing is not None:
            raise InputError(
                f"missing distance index {missing}; the {self.variant.name} variant needs all dis_index_*.npy files "
                f"next to the frames: run `{index_command(self.config.data)}` first"
            )

    def _build(self, state: TrainingState | None) -> nn.Module:
        """A fresh network (of ``network_params``' size), or, resuming, one of the checkpoint's size (its shapes and
        YAML config, as the engine's loader reads them)."""
        if state is None or self.recipe.family == "RIFE":
            return self.recipe.build(self.spec, self.config.network_params)
        return build_network(self.spec, state=state.model, params=network_params(self.spec, self.checkpoint))

    def _check_crop(self) -> None:
        smallest = self.network.min_side(1.0) if hasattr(self.network, "min_side") else 0
        if self.crop < smallest:
            raise InputError(f"{self.spec.name} needs crops of at least {smallest} pixels, got --crop {self.crop}")

    def _restore(self, state: TrainingState | None) -> None:
        if state is not None:
            if state.variant not in (None, self.variant.name):
                raise InputError(f"{self.checkpoint} is a {state.variant} run, not {self.variant.name}")
            self.network.load_state_dict(state.model, strict=True)
            if state.optimizer is not None:
                self.optimizer.load_state_dict(state.optimizer)
            self.step, self.epoch = state.step, state.epoch
        elif self.config.init is not None:
            load_initial_weights(self.network, self.config.init, self.spec)

    # ---------------------------------------------------------------- loop
    def _batches(self) -> Iterator[dict[str, torch.Tensor]]:
        """Batches forever; ``self.epoch`` counts passes over the training septuplets."""
        config = self.config
        loader = DataLoader(
            self.dataset,
            batch_size=config.batch_size,
            shuffle=True,
            drop_last=True,
            num_workers=config.workers,
            pin_memory=self.device.type == "cuda",
            persistent_workers=config.workers > 0,
            multiprocessing_context="spawn" if config.workers > 0 else None,
        )
        while True:
            yield from loader
            self.epoch += 1

    def save(self) -> Path:
        """Write the checkpoint now (and the family's YAML config where it has one)."""
        reference_net = self.recipe.reference_nets.get(self.variant.name)
        if reference_net is not None and self.spec.config_yaml:
            params = self.recipe.config_params(self.network)
            write_family_config(self.config.out, self.spec, reference_net, params)
        return self.recipe.save(self.checkpoint, self.network, self.optimizer, self.epoch, self.step, self.variant.name)

    def validate(self) -> Report | None:
        """Validation figures now (``None`` without validation septuplets)."""
        if not self.val_samples:
            return None
        return validate(
            self.network, self.variant, self.val_samples, self.device, self.config.val_iters, self.config.map_blur
        )

    def run(self) -> TrainResult:
        """Train until ``total_steps``; saves on the way, at the end and when interrupted."""
        config = self.config
        torch.manual_seed(config.seed + self.step)
        config.out.mkdir(parents=True, exist_ok=True)
        log = TrainLog(config.out / LOG_NAME, self.recipe.loss_parts)
        result = TrainResult(self.step, None)
        started = time.monotonic()
        sums: dict[str, float] = {}
        batches = self._batches()
        try:
            if self.step == 0:
                self._log_validation(log, result, started)
            while self.step < self.total_steps:
                batch = to_batch(next(batches), self.device)
                lr = self.schedule(self.step)
                terms = train_step(
                    self.network, self.optimizer, batch, lr, self.recipe.loss, config.distill_weight
                ).as_floats()
                self.step += 1
                for name, value in terms.items():
                    sums[name] = sums.get(name, 0.0) + value
                if self.step % config.log_every == 0 or self.step == self.total_steps:
                    count = config.log_every if self.step % config.log_every == 0 else self.step % config.log_every
                    means = {name: value / count for name, value in sums.items()}
                    log.write(self.step, self.epoch, lr, means, None, time.monotonic() - started)
                    result.loss, sums = means["total"], {}
                if self.step % config.val_every == 0 or self.step == self.total_steps:
                    self._log_validation(log, result, started)
                if self.step % config.save_every == 0:
                    self.save()
                if self.progress is not None:
                    self.progress(self.step, self.total_steps, {"loss": terms["total"], "lr": lr})
        finally:
            result.step = self.step
            result.checkpoint = self.save()
        return result

    def _log_validation(self, log: TrainLog, result: TrainResult, started: float) -> None:
        report = self.validate()
        if report is not None:
            log.write(self.step, self.epoch, None, None, report, time.monotonic() - started)
            result.validations.append((self.step, report.mean_psnr))


class TrainLog:
    """Append-only CSV of training (``loss`` ...) and validation (``val_psnr`` ...) rows."""

    def __init__(self, path: Path, loss_parts: tuple[str, ...] = ("l1", "teacher", "distill")) -> None:
        self.path = path
        self.loss_parts = loss_parts
        self.fields = ("step", "epoch", "lr", "loss", *loss_parts, "val_psnr", "val_ssim", "seconds")
        if not path.is_file():
            with path.open("w", newline="") as handle:
                csv.writer(handle).writerow(self.fields)

    def write(
        self,
        step: int,
        epoch: int,
        lr: float | None,
        losses: dict[str, float] | None,
        report: Report | None,
        seconds: float,
    ) -> None:
        row: dict[str, object] = {"step": step, "epoch": epoch, "seconds": f"{seconds:.1f}"}
        if lr is not None:
            row["lr"] = f"{lr:.3e}"
        if losses is not None:
            row |= {"loss": losses["total"]} | {name: losses[name] for name in self.loss_parts}
        if report is not None:
            row |= {"val_psnr": f"{report.mean_psnr:.3f}", "val_ssim": f"{report.mean_ssim:.4f}"}
        with self.path.open("a", newline="") as handle:
            csv.DictWriter(handle, self.fields).writerow(row)
