"""Networks from registry entries: one builder per ``ModelSpec.arch``, the only place that maps a name to a class.

The registry (``interp.models.registry``) is torch-free data; this module imports the network code, so only the
engine, weight loading and training import it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from interp.errors import InputError
from interp.models.amt import AMTDI
from interp.models.ema_vfi import build_ema_vfi
from interp.models.ifnet_di import IFNetDI
from interp.models.ifnet_v4 import IFNetV4
from interp.models.ifrnet import IFRNetDI
from interp.models.registry import ModelSpec

#: ``builder(spec, state, params, distill)``: ``state`` is a checkpoint's tensors (empty: the official size) and
#: ``params`` the ``network.params`` of the model folder's YAML config (AMT-S / IFRNet; empty elsewhere).
State = Mapping[str, torch.Tensor]
Params = Mapping[str, Any]
Builder = Callable[[ModelSpec, State, Params, bool], nn.Module]


def _build_ifnet_v4(
    spec: ModelSpec, state: Mapping[str, torch.Tensor], params: Mapping[str, Any], distill: bool
) -> nn.Module:
    del spec, state, params, distill
    return IFNetV4()


def _build_ifnet_di(
    spec: ModelSpec, state: Mapping[str, torch.Tensor], params: Mapping[str, Any], distill: bool
) -> nn.Module:
    del state, params
    return IFNetDI(map_channels=spec.map_channels, distill=distill)


def _build_amt(
    spec: ModelSpec, state: Mapping[str, torch.Tensor], params: Mapping[str, Any], distill: bool
) -> nn.Module:
    del state, distill
    unknown = set(params) - {"corr_radius", "corr_lvls", "num_flows"}
    if unknown:
        raise InputError(f"unsupported AMT-S network params in the YAML config: {sorted(unknown)}")
    return AMTDI(iterative=spec.iterative, **{key: int(value) for key, value in params.items()})


def _build_ifrnet(
    spec: ModelSpec, state: Mapping[str, torch.Tensor], params: Mapping[str, Any], distill: bool
) -> nn.Module:
    del state, distill
    if params:
        raise InputError(f"IFRNet takes no network params, the YAML config has {sorted(params)}")
    return IFRNetDI(iterative=spec.iterative)


def _build_ema_vfi(
    spec: ModelSpec, state: Mapping[str, torch.Tensor], params: Mapping[str, Any], distill: bool
) -> nn.Module:
    del distill
    return build_ema_vfi(spec.iterative, state, params)


#: The builder of each ``ModelSpec.arch``.
BUILDERS: dict[str, Builder] = {
    "ifnet-v4": _build_ifnet_v4,
    "ifnet-di": _build_ifnet_di,
    "amt-s": _build_amt,
    "ifrnet": _build_ifrnet,
    "ema-vfi": _build_ema_vfi,
}


def build_network(
    spec: ModelSpec,
    distill: bool = False,
    state: State | None = None,
    params: Params | None = None,
) -> nn.Module:
    """Build the (randomly initialised) network a spec names.

    ``distill`` adds RIFE's training-only teacher; ``state`` (a checkpoint's tensors) and ``params`` (its YAML
    ``network.params``) size the networks that come in several sizes; without them the official size is built.
    """
    builder = BUILDERS.get(spec.arch or "")
    if builder is None:
        raise InputError(f"model {spec.name!r} is not an interpolator (arch {spec.arch!r})")
    return builder(spec, state or {}, params or {}, distill)
