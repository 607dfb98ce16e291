"""The training recipe of each network family, chosen by the registry entry's ``arch`` (``recipe_for(spec)``).

What each reference trainer does (InterpAny-Clearer's ``models/DI-AMT-and-IFRNet`` cfgs ``*-AMT-S*_wofloloss.yaml``,
``*-IFRNet_septuplet_wofloloss.yaml`` and ``trainers/base_trainer.py``; ``models/DI-EMA-VFI`` ``Trainer_recur.py`` and
``train_sdi_m_mask_recur.py``; RIFE: see ``interp.research.train``):

======== ============================== ======================= ===================== ======== ====================
family   loss                           peak lr (batch B)       end of the cosine     warm-up  AdamW weight decay
======== ============================== ======================= ===================== ======== ====================
RIFE     lap + teacher lap + 0.002 dist 3e-4 x B / 64           1% of the peak        2000     1e-3
AMT-S    Charbonnier + ternary          2e-4                    2e-5                  none     0 (the cfgs' 0.0)
IFRNet   Charbonnier + ternary          1e-4                    1e-5                  none     1e-6
EMA-VFI  lap + 0.5 x lap of each merged 2e-4 x B / 64           10% of the peak       2000     1e-4
======== ============================== ======================= ===================== ======== ====================

AMT-S and IFRNet's released runs use the ``wofloloss`` configs: no flow loss, and IFRNet's geometry (feature) loss is
commented out there, so neither has a distillation term. Their trainer does not scale the learning rate with the
batch (24 in all). EMA-VFI's scales as RIFE's (``lr * world_size / 4 * batch_size / 16``). Crops: 224 (RIFE, AMT-S,
IFRNet), 256 (EMA-VFI). The [D,R] condition is the same for all: ``[target map, previous map, current frame]``, which
is the ``embt, embt_ref, img_ref`` of AMT-S / IFRNet and the ``timestep, timestep_ref, img_ref`` of EMA-VFI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from interp.errors import InputError
from interp.models.builders import build_network
from interp.models.ema_vfi import EMAVFIDI
from interp.models.registry import ModelSpec
from interp.research.checkpoint import save_module_pickle, save_state_dict_checkpoint, save_training_state
from interp.research.losses import (
    DISTILL_WEIGHT,
    merged_laplacian_l1,
    reconstruction_loss,
    training_loss,
)
from interp.research.schedule import REFERENCE_BATCH, default_warmup


class Terms(Protocol):
    """A loss and its parts: ``total`` carries the graph, ``as_floats()`` names every part."""

    total: torch.Tensor

    def as_floats(self) -> dict[str, float]: ...


@dataclass
class Batch:
    """One batch on the device: frames ``B x 3 x h x w`` in [0, 1] (BGR) and the condition ``B x C x h x w``."""

    img0: torch.Tensor
    img1: torch.Tensor
    gt: torch.Tensor
    cond: torch.Tensor


def to_batch(item: dict[str, torch.Tensor], device: torch.device) -> Batch:
    """A collated dataset item -> ``Batch``; the [R] condition is ``[target, previous, current frame]``."""
    images = item["images"].to(device, non_blocking=True).float() / 255.0
    cond = item["maps"].to(device, non_blocking=True).float()
    if "current" in item:
        cond = torch.cat((cond, item["current"].to(device, non_blocking=True).float() / 255.0), 1)
    return Batch(images[:, 0:3], images[:, 3:6], images[:, 6:9], cond)


LossFn = Callable[[nn.Module, Batch, float], Terms]
SaveFn = Callable[[Path, nn.Module, torch.optim.Optimizer, int, int, str], Path]
BuildFn = Callable[[ModelSpec, Mapping[str, Any]], nn.Module]


def rife_loss(network: nn.Module, batch: Batch, distill_weight: float = DISTILL_WEIGHT) -> Terms:
    """RIFE: ``IFNetDI.forward_train`` with the ground-truth teacher, Laplacian L1 + teacher + distillation."""
    output = network.forward_train(batch.img0, batch.img1, batch.gt, batch.cond)
    return training_loss(output, batch.gt, distill_weight)


def amt_ifrnet_loss(network: nn.Module, batch: Batch, distill_weight: float = 0.0) -> Terms:
    """AMT-S / IFRNet: Charbonnier + ternary on the prediction (their forward is the training forward)."""
    del distill_weight
    return reconstruction_loss(network(batch.img0, batch.img1, batch.cond), batch.gt)


def ema_vfi_loss(network: nn.Module, batch: Batch, distill_weight: float = 0.0) -> Terms:
    """EMA-VFI: Laplacian L1 of the prediction plus half that of each flow head's merged frame."""
    del distill_weight
    prediction, merged = network.forward_train(batch.img0, batch.img1, batch.cond)
    return merged_laplacian_l1(prediction, merged, batch.gt)


def _build_rife(spec: ModelSpec, params: Mapping[str, Any]) -> nn.Module:
    if params:
        raise InputError(f"{spec.name} takes no network params, got {sorted(params)}")
    return build_network(spec, distill=True)


def _build_from_registry(spec: ModelSpec, params: Mapping[str, Any]) -> nn.Module:
    try:
        return build_network(spec, params=params)
    except (TypeError, ValueError) as exc:
        raise InputError(f"network params {dict(params)} do not fit {spec.name}: {exc}") from exc


def _build_ema_vfi(spec: ModelSpec, params: Mapping[str, Any]) -> nn.Module:
    """The official size (F = 32, depths 2, 2, 2, 4, 4), or ``{"width": F, "depths": [...]}`` (e.g. a test's F = 8)."""
    if not params:
        return build_network(spec)
    unknown = set(params) - {"width", "depths"}
    if unknown:
        raise InputError(f"EMA-VFI takes the network params width and depths, got {sorted(unknown)}")
    try:
        return EMAVFIDI(spec.iterative, int(params.get("width", 32)), tuple(params.get("depths", (2, 2, 2, 4, 4))))
    except ValueError as exc:
        raise InputError(f"network params {dict(params)} do not fit {spec.name}: {exc}") from exc


def amt_config_params(network: nn.Module) -> dict[str, Any]:
    """AMT-S's ``network.params`` as its cfgs write them (the loader sizes the network from them)."""
    return {"corr_radius": network.radius, "corr_lvls": network.levels, "num_flows": network.num_flows}


def no_config_params(network: nn.Module) -> dict[str, Any]:
    """IFRNet's cfgs have no ``network.params``."""
    del network
    return {}


@dataclass(frozen=True)
class FamilyRecipe:
    """Loss, optimiser, schedule and checkpoint format of one family's reference trainer (see the module docstring).

    Attributes:
        family: the ``--model`` name.
        loss_parts: the names of the loss's parts (the training log's columns).
        base_lr: the peak learning rate at ``base_batch`` (``None``: the same for every batch).
        floor_ratio: where the cosine ends, as a fraction of the peak.
        warmup: whether the reference warms up (2000 steps, at most a tenth of a short run).
        weight_decay: AdamW's.
        crop: the reference's square crop side.
        reference_nets: ``variant -> network.name`` written to the run's YAML config (empty: no YAML).
        config_params: the ``network.params`` of that YAML config for a network.
    """

    family: str
    loss: LossFn
    build: BuildFn
    save: SaveFn
    loss_parts: tuple[str, ...]
    base_lr: float
    base_batch: int | None
    floor_ratio: float
    warmup: bool
    weight_decay: float
    crop: int
    reference_nets: Mapping[str, str]
    config_params: Callable[[nn.Module], dict[str, Any]] = no_config_params

    def peak_lr(self, batch_size: int) -> float:
        """The reference's peak learning rate for a total batch of ``batch_size``."""
        return self.base_lr if self.base_batch is None else self.base_lr * batch_size / self.base_batch

    def warmup_steps(self, total_steps: int) -> int:
        """Warm-up steps of a run of ``total_steps``."""
        return default_warmup(total_steps) if self.warmup else 0


RECIPES: dict[str, FamilyRecipe] = {
    "ifnet-di": FamilyRecipe(
        "RIFE", rife_loss, _build_rife, save_training_state, ("l1", "teacher", "distill"),
        3e-4, REFERENCE_BATCH, 0.01, True, 1e-3, 224, {},
    ),
    "amt-s": FamilyRecipe(
        "AMT-S", amt_ifrnet_loss, _build_from_registry, save_state_dict_checkpoint, ("charbonnier", "ternary"),
        2e-4, None, 0.1, False, 0.0, 224,
        {"D": "networks.SDI-AMT-S.Model", "DR": "networks.SDI-R-AMT-S_v1.Model"}, amt_config_params,
    ),
    "ifrnet": FamilyRecipe(
        "IFRNet", amt_ifrnet_loss, _build_from_registry, save_state_dict_checkpoint, ("charbonnier", "ternary"),
        1e-4, None, 0.1, False, 1e-6, 224,
        {"D": "networks.SDI-IFRNet.Model", "DR": "networks.SDI-R-IFRNet.Model"},
    ),
    "ema-vfi": FamilyRecipe(
        "EMA-VFI", ema_vfi_loss, _build_ema_vfi, save_module_pickle, ("l1", "merged"),
        2e-4, REFERENCE_BATCH, 0.1, True, 1e-4, 256, {},
    ),
}  # fmt: skip


def recipe_for(spec: ModelSpec) -> FamilyRecipe:
    """The recipe of the registry entry ``spec`` (by its ``arch``)."""
    recipe = RECIPES.get(spec.arch or "")
    if recipe is None:
        raise InputError(f"{spec.name} cannot be trained here (no recipe for arch {spec.arch!r})")
    return recipe
