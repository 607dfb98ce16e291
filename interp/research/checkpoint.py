"""Training checkpoints in the official layouts, so the app and the CLI load a run folder directly.

``RUN_DIR/<log folder>/<file>`` as the registry's checkpoint path ends. Per family, as its reference trainer writes:

* RIFE (``train_sdi_log/flownet_sdi.pkl`` for D, TR, DR; ``train_m_log/flownet_m.pkl`` for T):
  ``{'model', 'optimizer', 'epoch', 'step', 'variant'}`` (``save_training_state``). ``model`` includes the
  training-only teacher ``block_tea``, which ``interp.models.weights.load_network`` drops for inference.
* AMT-S / IFRNet (``ckpts/latest.pth``): ``{'epoch', 'state_dict', 'optim', 'step', 'variant'}``
  (``save_state_dict_checkpoint``) next to ``RUN_DIR/<V>-<family>.yaml`` (``write_family_config``), whose
  ``network.params`` size AMT-S.
* EMA-VFI (``train_sdi_log/ema-vfi.pkl``): the bare state dict with DistributedDataParallel's ``module.`` prefix
  (``save_module_pickle``); what resuming needs besides (optimiser, step) sits beside it in ``train_state.pth``.

Writes are atomic (a temporary file renamed on success).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

from interp.errors import WeightsError
from interp.io.files import atomic_path
from interp.models.registry import ModelSpec
from interp.models.weights import compare_state_dict, drop_ignored, read_state_dict


def log_relpath(spec: ModelSpec) -> str:
    """The checkpoint path inside a run folder: the last two parts of the registry path."""
    return "/".join(spec.checkpoint.split("/")[-2:])


def checkpoint_path(run_dir: Path, spec: ModelSpec) -> Path:
    """Where a run of ``spec`` keeps its checkpoint."""
    return Path(run_dir) / log_relpath(spec)


@dataclass(frozen=True)
class TrainingState:
    """What a training checkpoint holds."""

    model: dict[str, torch.Tensor]
    optimizer: dict[str, Any] | None
    epoch: int
    step: int
    variant: str | None


def save_training_state(
    path: Path, network: nn.Module, optimizer: torch.optim.Optimizer, epoch: int, step: int, variant: str
) -> Path:
    """Write a checkpoint atomically (tensors moved to CPU so any machine can read it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "model": {k: v.detach().cpu() for k, v in network.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "epoch": int(epoch),
        "step": int(step),
        "variant": variant,
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def save_state_dict_checkpoint(
    path: Path, network: nn.Module, optimizer: torch.optim.Optimizer, epoch: int, step: int, variant: str
) -> Path:
    """AMT-S / IFRNet: ``{'epoch', 'state_dict', 'optim'}`` as their trainer's ``save`` (plus step and variant)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "epoch": int(epoch),
        "state_dict": {k: v.detach().cpu() for k, v in network.state_dict().items()},
        "optim": optimizer.state_dict(),
        "step": int(step),
        "variant": variant,
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def resume_sidecar(path: Path) -> Path:
    """Where a bare-state-dict checkpoint (EMA-VFI) keeps the optimiser and the step for ``--resume``."""
    return path.with_name("train_state.pth")


def save_module_pickle(
    path: Path, network: nn.Module, optimizer: torch.optim.Optimizer, epoch: int, step: int, variant: str
) -> Path:
    """EMA-VFI: the state dict with ``module.`` keys, as its DistributedDataParallel trainer's ``save_model``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save({f"module.{k}": v.detach().cpu() for k, v in network.state_dict().items()}, tmp)
    state = {"optimizer": optimizer.state_dict(), "epoch": int(epoch), "step": int(step), "variant": variant}
    with atomic_path(resume_sidecar(path)) as tmp:
        torch.save(state, tmp)
    return path


def write_family_config(run_dir: Path, spec: ModelSpec, reference_net: str, params: dict[str, Any]) -> Path:
    """``RUN_DIR/<V>-<family>.yaml`` as the reference's cfgs name the network (``network.name``, ``network.params``)."""
    network: dict[str, Any] = {"name": reference_net}
    if params:
        network["params"] = dict(params)
    path = Path(run_dir) / f"{spec.name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(yaml.safe_dump({"exp_name": spec.name, "network": network}, sort_keys=False))
    return path


def _load(path: Path) -> Any:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a corrupt file
        raise WeightsError(f"could not read training checkpoint {path}: {type(exc).__name__}: {exc}") from exc


def read_training_state(path: Path) -> TrainingState:
    """Read a checkpoint of any family's layout (``WeightsError`` when it is not one)."""
    raw = _load(path)
    if not isinstance(raw, dict):
        raise WeightsError(f"{path} is not a training checkpoint")
    model = next((raw[k] for k in ("model", "state_dict") if isinstance(raw.get(k), dict)), None)
    if model is None and raw and all(isinstance(v, torch.Tensor) for v in raw.values()):
        model, sidecar = raw, resume_sidecar(path)
        raw = _load(sidecar) if sidecar.is_file() else {}
    if model is None:
        raise WeightsError(f"{path} is not a training checkpoint (no 'model' or 'state_dict' state dict)")
    return TrainingState(
        model={k.removeprefix("module."): v for k, v in model.items()},
        optimizer=raw.get("optimizer", raw.get("optim")),
        epoch=int(raw.get("epoch") or 0),
        step=int(raw.get("step") or 0),
        variant=raw.get("variant"),
    )


def load_initial_weights(network: nn.Module, path: Path, spec: ModelSpec) -> list[str]:
    """Start from another checkpoint's weights (``--init``); training-only keys it lacks stay as initialised.

    Returns the keys left at their initial values. Raises ``WeightsError`` when the file does not fit the network.
    """
    state = drop_ignored(spec, read_state_dict(path), distill=True)
    mismatch = compare_state_dict(network, state)
    allowed_missing = [k for k in mismatch.missing if k.startswith(spec.training_only_prefixes)]
    if mismatch.unexpected or mismatch.wrong_shape or len(allowed_missing) != len(mismatch.missing):
        raise WeightsError(
            f"--init checkpoint {path} does not fit {spec.name}: {mismatch.describe()} "
            "(a checkpoint of another variant? the [R] variants take 5 condition channels, T and D one)"
        )
    network.load_state_dict(state, strict=False)
    return allowed_missing
