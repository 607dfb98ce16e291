"""The renderer names a project may choose (torch-free, so the project schema can check them)."""

from __future__ import annotations

from interp.errors import InputError

#: How a manipulated frame is made (``interp.engine.manipulator``): ``composite`` (uniform-time network frames, a
#: clean plate and per-object pastes), ``splat`` (forward-warped layers), ``maps`` (the network driven by the
#: per-pixel distance map, the paper's way) and ``naive`` (maps composed from unswept masks).
RENDERERS: tuple[str, ...] = ("composite", "splat", "maps", "naive")

#: Renderer for projects that name none, when the model's registry entry names none either (the distance-indexed
#: models name ``maps``, the way they were trained): measured best on real footage with rife-v4 (bench/bench_real.py).
DEFAULT_RENDERER = "composite"


def check_renderer(name: str) -> str:
    """Validate a renderer name."""
    if name not in RENDERERS:
        raise InputError(f"unknown renderer {name!r}; known: {', '.join(RENDERERS)}")
    return name
