"""A per-session temporary folder for rendered outputs, removed when the session ends."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT_PREFIX = "interp-session-"


@dataclass
class Workspace:
    """Lazily created temporary folder; each render gets a fresh sub-folder and the previous one is removed."""

    root: Path | None = None
    current: Path | None = field(default=None)
    renders: int = 0

    def new_render_dir(self) -> Path:
        """A new, not yet existing folder for one render (the previous render's folder is deleted)."""
        if self.root is None or not self.root.is_dir():
            self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
        if self.current is not None:
            shutil.rmtree(self.current, ignore_errors=True)
        self.renders += 1
        self.current = self.root / f"render-{self.renders:03d}"
        return self.current

    def cleanup(self) -> None:
        """Delete everything this session wrote."""
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
        self.root = self.current = None


def zip_files(files: Sequence[Path], target: Path) -> Path:
    """Store ``files`` (flat, by name) in a zip at ``target``."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in files:
            archive.write(path, arcname=path.name)
    return target
