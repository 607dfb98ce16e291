"""Temporary folders for rendered outputs: one per page session, one per API call, none left behind.

Every folder is ``<system temp>/interp-session-<pid>-<random>``: the process id says whose it is, so a starting app
removes the folders of processes that no longer run (``remove_stale_folders``) and an app that exits, SIGTERM
included, removes its own (``remove_own_folders``) without touching another running app's.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT_PREFIX = "interp-session-"
#: A folder named without a process id (written before ids were added) is stale after this many seconds.
UNOWNED_STALE_S = 3600.0
_OWNED = re.compile(rf"^{re.escape(ROOT_PREFIX)}(\d+)-")
#: Passes ``_remove`` makes over a folder that is still there after one: a render running in another thread (at
#: exit, on SIGTERM) can write a frame into its folder while the folder is being removed, which then stays.
REMOVE_PASSES = 5


def temp_root() -> Path:
    """Where the folders live (the system temporary folder)."""
    return Path(tempfile.gettempdir())


def new_root() -> Path:
    """A new folder of this process under ``temp_root()``."""
    return Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-", dir=temp_root()))


@dataclass
class Workspace:
    """Lazily created temporary folder; each render gets a fresh sub-folder and the previous one is removed."""

    root: Path | None = None
    current: Path | None = field(default=None)
    renders: int = 0

    def _root(self) -> Path:
        """The folder, created on first use (or again after ``cleanup``)."""
        if self.root is None or not self.root.is_dir():
            self.root = new_root()
        return self.root

    def new_render_dir(self) -> Path:
        """A new, not yet existing folder for one render (the previous render's folder is deleted)."""
        root = self._root()
        if self.current is not None:
            shutil.rmtree(self.current, ignore_errors=True)
        self.renders += 1
        self.current = root / f"render-{self.renders:03d}"
        return self.current

    def new_call_dir(self) -> Path:
        """A new, not yet existing folder for one API call, which no later call removes: the caller removes it
        with ``discard`` once its outputs are served (calls may overlap, renders of one session do not)."""
        return Path(tempfile.mkdtemp(prefix="call-", dir=self._root())) / "render"

    def discard(self, folder: Path) -> None:
        """Remove a folder from ``new_call_dir`` (the call's own folder around it)."""
        shutil.rmtree(folder.parent, ignore_errors=True)

    def preview_dir(self) -> Path:
        """The folder for live-preview files (the playing preview's GIFs), created on first use; renders keep it."""
        folder = self._root() / "preview"
        folder.mkdir(exist_ok=True)
        return folder

    def cleanup(self) -> None:
        """Delete everything this session wrote."""
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
        self.root = self.current = None


def owner_pid(folder: Path) -> int | None:
    """The process id in a workspace folder's name (None for names without one)."""
    match = _OWNED.match(folder.name)
    return int(match.group(1)) if match else None


def is_running(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(folder: Path, now: float) -> bool:
    """A workspace folder whose process is gone (or, named without a process id, older than ``UNOWNED_STALE_S``)."""
    pid = owner_pid(folder)
    if pid is not None:
        return pid != os.getpid() and not is_running(pid)
    try:
        return now - folder.stat().st_mtime > UNOWNED_STALE_S
    except FileNotFoundError:
        return False


def _remove(folders: list[Path]) -> list[Path]:
    """Remove ``folders`` and all they hold, again while a file written meanwhile keeps one (``REMOVE_PASSES``)."""
    for folder in folders:
        for _ in range(REMOVE_PASSES):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                break
            time.sleep(0.02)
    return folders


def remove_stale_folders(root: Path | None = None) -> list[Path]:
    """Remove the workspace folders of processes that no longer run (at start-up); returns what was removed."""
    now = time.time()
    base = root or temp_root()
    return _remove([p for p in base.glob(f"{ROOT_PREFIX}*") if p.is_dir() and is_stale(p, now)])


def remove_own_folders(root: Path | None = None) -> list[Path]:
    """Remove every workspace folder of this process (at exit); returns what was removed."""
    base = root or temp_root()
    return _remove([p for p in base.glob(f"{ROOT_PREFIX}{os.getpid()}-*") if p.is_dir()])


def zip_files(files: Sequence[Path], target: Path) -> Path:
    """Store ``files`` (flat, by name) in a zip at ``target``."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in files:
            archive.write(path, arcname=path.name)
    return target
