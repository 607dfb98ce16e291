"""Where the project looks for things on disk (one place for every default location)."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable with extra checkpoint folders (``os.pathsep``-separated), searched first.
CHECKPOINTS_ENV = "INTERP_CHECKPOINTS"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def checkpoint_dirs() -> list[Path]:
    """Folders searched for checkpoints, in order: ``$INTERP_CHECKPOINTS``, ``./checkpoints``, the project's own."""
    dirs = [Path(p) for p in os.environ.get(CHECKPOINTS_ENV, "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "checkpoints", PROJECT_ROOT / "checkpoints"]
    unique: list[Path] = []
    for d in dirs:
        resolved = d.expanduser().resolve()
        if resolved not in unique:
            unique.append(resolved)
    return unique


def default_checkpoint_dir() -> Path:
    """Where ``weights fetch`` writes: the first ``$INTERP_CHECKPOINTS`` folder, else the project's ``checkpoints/``."""
    env = [p for p in os.environ.get(CHECKPOINTS_ENV, "").split(os.pathsep) if p]
    return Path(env[0]).expanduser().resolve() if env else PROJECT_ROOT / "checkpoints"
