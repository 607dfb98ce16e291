"""Atomic writes: a file or folder appears whole or not at all."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from interp.errors import InterpError


def temp_sibling(target: Path) -> Path:
    """Create an empty hidden temporary file next to ``target`` (same suffix, normal permissions); return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        candidate = target.parent / f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}"
        try:
            with candidate.open("xb"):
                return candidate
        except FileExistsError:
            continue
    raise InterpError(f"could not create a temporary file next to {target}")


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` when the block succeeds, else delete it."""
    target = Path(target)
    tmp_path = temp_sibling(target)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextmanager
def atomic_folder(target: Path | str, owned: Sequence[str] = ()) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``target`` (created then), else delete it all.

    ``owned``: glob patterns of the files this kind of output writes (``frame_*.png``, ``interp.gif``…). On success,
    files in ``target`` that match them and were not written this time are removed first, so a folder written again
    (``--force``) never mixes this run's frames with the extra frames of an earlier, longer one. Other files stay.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        yield staging
        target.mkdir(exist_ok=True)
        written = {item.name for item in staging.iterdir()}
        for pattern in owned:
            for stale in target.glob(pattern):
                if stale.is_file() and stale.name not in written:
                    stale.unlink()
        for item in sorted(staging.iterdir()):
            os.replace(item, target / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
