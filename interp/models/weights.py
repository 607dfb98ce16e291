"""Read checkpoints and build ready-to-run networks from them (finding them is ``interp.models.paths``).

Loading is ``weights_only=True`` and strict, except for keys the registry marks as
training-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

from interp.errors import WeightsError
from interp.models.builders import build_network
from interp.models.paths import resolve_checkpoint
from interp.models.registry import ModelSpec


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Read a checkpoint as a flat float32 state dict.

    Accepts a bare state dict, ``{'model': state_dict, ...}`` (the InterpAny-Clearer RIFE training format) or
    ``{'state_dict': state_dict, ...}`` (its AMT-S / IFRNet trainer), and strips DistributedDataParallel's
    ``module.`` prefix (EMA-VFI, RIFE). Raises ``WeightsError`` for unreadable files.
    """
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a corrupt file; report them all the same way
        raise WeightsError(
            f"could not read checkpoint {path}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            " (the file may be truncated or not a PyTorch checkpoint; download it again)"
        ) from exc
    for wrapper in ("model", "state_dict"):
        if isinstance(raw, dict) and isinstance(raw.get(wrapper), dict):
            raw = raw[wrapper]
            break
    if not isinstance(raw, dict) or not all(isinstance(v, torch.Tensor) for v in raw.values()):
        raise WeightsError(f"checkpoint {path} does not hold a state dict of tensors")
    return {
        key.removeprefix("module."): (value.float() if value.is_floating_point() else value)
        for key, value in raw.items()
    }


@dataclass(frozen=True)
class StateDictMismatch:
    """How a state dict differs from a network's."""

    missing: list[str]
    unexpected: list[str]
    wrong_shape: list[str]

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.wrong_shape)

    def describe(self) -> str:
        parts = []
        for label, items in (
            ("missing", self.missing),
            ("unexpected", self.unexpected),
            ("wrong shape", self.wrong_shape),
        ):
            if items:
                parts.append(f"{len(items)} {label} (e.g. {', '.join(items[:3])})")
        return "; ".join(parts)


def compare_state_dict(network: nn.Module, state: dict[str, torch.Tensor]) -> StateDictMismatch:
    """Compare keys and shapes of ``state`` with ``network.state_dict()``."""
    expected = network.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [
        f"{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and tuple(state[k].shape) != tuple(v.shape)
    ]
    return StateDictMismatch(missing, unexpected, wrong)


def network_params(spec: ModelSpec, checkpoint: Path) -> dict[str, Any]:
    """``network.params`` of the YAML config in the model folder (``<folder>/<V>-<family>.yaml``, else the first
    ``*.yaml`` there, as the reference's ``inference_img.py`` takes), for specs with ``config_yaml``; ``{}`` when the
    spec has none or the folder holds no YAML (the official sizes are then built)."""
    if not spec.config_yaml:
        return {}
    folder = checkpoint.parent.parent
    named = folder / f"{spec.name}.yaml"
    configs = [named] if named.is_file() else sorted(folder.glob("*.yaml"))
    if not configs:
        return {}
    try:
        config = yaml.safe_load(configs[0].read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise WeightsError(f"could not read the config {configs[0]}: {exc}") from exc
    network = config.get("network") if isinstance(config, dict) else None
    params = network.get("params") if isinstance(network, dict) else None
    if params is not None and not isinstance(params, dict):
        raise WeightsError(f"config {configs[0]}: network.params must be a mapping, got {params!r}")
    return dict(params or {})


def drop_ignored(spec: ModelSpec, state: dict[str, torch.Tensor], distill: bool = False) -> dict[str, torch.Tensor]:
    """``state`` without the keys the registry names: training-only prefixes (unless ``distill``) and buffers a
    network registers while running (by last name component)."""
    prefixes = () if distill else spec.training_only_prefixes
    return {
        key: value
        for key, value in state.items()
        if not key.startswith(prefixes) and key.rsplit(".", 1)[-1] not in spec.ignored_buffers
    }


def load_network(spec: ModelSpec, checkpoint: Path | str | None = None, distill: bool = False) -> nn.Module:
    """Build the network of ``spec`` and load its checkpoint strictly.

    Only the keys the registry names are ignored (``drop_ignored``); a missing, unexpected or wrongly shaped key is an
    error naming it. Sizes come from the checkpoint (shapes, the model folder's YAML config) where a family has
    several. Returns the network in eval mode on CPU. Raises ``WeightsError`` when the file is missing, unreadable, or
    does not fit (wrong model, wrong variant).
    """
    path = resolve_checkpoint(spec, checkpoint)
    state = drop_ignored(spec, read_state_dict(path), distill)
    params = network_params(spec, path)
    try:
        network = build_network(spec, distill=distill, state=state, params=params)
    except ValueError as exc:
        raise WeightsError(f"checkpoint {path} does not fit model {spec.name!r}: {exc}") from exc
    mismatch = compare_state_dict(network, state)
    if mismatch:
        raise WeightsError(
            f"checkpoint {path} does not fit model {spec.name!r}: {mismatch.describe()} "
            f"(is it the checkpoint of another model or variant? expected {spec.checkpoint})"
        )
    network.load_state_dict(state, strict=True)
    return network.eval()
