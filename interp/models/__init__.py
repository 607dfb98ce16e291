"""Networks (``nn.Module`` only, no I/O) and the registry of named models."""

from interp.models.registry import DEFAULT_MODEL, MODELS, Index, Kind, ModelSpec, build_network, get_spec

__all__ = ["DEFAULT_MODEL", "MODELS", "Index", "Kind", "ModelSpec", "build_network", "get_spec"]
