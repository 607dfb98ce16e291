"""Where checkpoints are: the folders searched, the one resolver, presence and digests (torch-free).

The resolver tries each place in turn and, on failure, raises one error that names the model, the file, every place
searched and how to get it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from interp.errors import WeightsError
from interp.models.registry import ModelSpec

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


#: File names a user may point ``--checkpoint`` at, for the InterpAny-Clearer layout (folder or log folder).
_OFFICIAL_LOG_FILES = (
    "train_sdi_log/flownet_sdi.pkl",
    "train_m_log/flownet_m.pkl",
    "flownet_sdi.pkl",
    "flownet_m.pkl",
    "flownet.pkl",
)


def candidate_paths(spec: ModelSpec, explicit: Path | str | None = None) -> list[Path]:
    """Every path that would satisfy ``spec``, in search order (an explicit path alone if given)."""
    if explicit is not None:
        path = Path(explicit).expanduser()
        if path.is_dir():
            tail = spec.checkpoint.split("/")
            names = ["/".join(tail[-2:]), tail[-1], *_OFFICIAL_LOG_FILES]
            return [path / name for name in dict.fromkeys(names)]
        return [path]
    return [folder / spec.checkpoint for folder in checkpoint_dirs()]


def resolve_checkpoint(spec: ModelSpec, explicit: Path | str | None = None) -> Path:
    """Return the first existing checkpoint file for ``spec`` or raise ``WeightsError`` naming every place searched."""
    candidates = candidate_paths(spec, explicit)
    for path in candidates:
        if path.is_file():
            return path
    searched = ", ".join(str(p) for p in candidates)
    raise WeightsError(
        f"model {spec.name!r} needs its checkpoint {Path(spec.checkpoint).name!r} ({spec.checkpoint}); "
        f"searched: {searched}; to get it: {spec.how_to_get}"
    )


def is_present(spec: ModelSpec) -> bool:
    """Whether the checkpoint of ``spec`` is found in the default places."""
    return any(p.is_file() for p in candidate_paths(spec))


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
