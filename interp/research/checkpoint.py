"""Training checkpoints in the official layout, so the app and the CLI load a run folder directly.

``RUN_DIR/<log folder>/<file>`` as the registry's checkpoint path ends (``train_sdi_log/flownet_sdi.pkl`` for D, TR,
DR; ``train_m_log/flownet_m.pkl`` for T), holding ``{'model', 'optimizer', 'epoch', 'step', 'variant'}`` like the
reference's ``save_model`` (plus the variant name). ``model`` includes the training-only teacher ``block_tea``, which
``interp.weights.load_network`` drops for inference. Writes are atomic (a temporary file renamed on success).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from interp.errors import WeightsError
from interp.media import atomic_path
from interp.models.registry import ModelSpec
from interp.weights import compare_state_dict, read_state_dict


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


def read_training_state(path: Path) -> TrainingState:
    """Read a checkpoint written by ``save_training_state`` (``WeightsError`` when it is not one)."""
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a corrupt file
        raise WeightsError(f"could not read training checkpoint {path}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("model"), dict):
        raise WeightsError(f"{path} is not a training checkpoint (no 'model' state dict)")
    return TrainingState(
        model={k.removeprefix("module."): v for k, v in raw["model"].items()},
        optimizer=raw.get("optimizer"),
        epoch=int(raw.get("epoch") or 0),
        step=int(raw.get("step") or 0),
        variant=raw.get("variant"),
    )


def load_initial_weights(network: nn.Module, path: Path, spec: ModelSpec) -> list[str]:
    """Start from another checkpoint's weights (``--init``); training-only keys it lacks stay as initialised.

    Returns the keys left at their initial values. Raises ``WeightsError`` when the file does not fit the network.
    """
    state = read_state_dict(path)
    mismatch = compare_state_dict(network, state)
    allowed_missing = [k for k in mismatch.missing if k.startswith(spec.training_only_prefixes)]
    if mismatch.unexpected or mismatch.wrong_shape or len(allowed_missing) != len(mismatch.missing):
        raise WeightsError(
            f"--init checkpoint {path} does not fit {spec.name}: {mismatch.describe()} "
            "(a checkpoint of another variant? the [R] variants take 5 condition channels, T and D one)"
        )
    network.load_state_dict(state, strict=False)
    return allowed_missing
