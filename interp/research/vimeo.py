"""The Vimeo-90K septuplet layout: where frames and distance-index files live, and which septuplets a list names.

Two layouts are supported:

* the official one: ``ROOT/sequences/<a>/<b>/im1..im7.png`` with ``ROOT/sep_trainlist.txt`` and
  ``ROOT/sep_testlist.txt`` (one ``<a>/<b>`` per line);
* a flat one: ``ROOT/<seq>/im1..im7.png`` (or any depth), found by searching for ``im7.png``.

Frames are numbered from 0 in code (``frame(0)`` is ``im1.png``), as the official index files are
(``dis_index_0_3_6.npy`` relates ``im1``, ``im4`` and ``im7``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from interp.errors import InputError
from interp.research.distance_index import index_name

SEPTUPLET_LENGTH = 7
SEQUENCES_DIR = "sequences"
TRAIN_LIST = "sep_trainlist.txt"
TEST_LIST = "sep_testlist.txt"


@dataclass(frozen=True)
class Septuplet:
    """One septuplet: its name (``00001/0001`` or the folder name) and its folder."""

    name: str
    folder: Path

    def frame(self, index: int) -> Path:
        """Path of frame ``index`` (0-based: 0 -> ``im1.png``)."""
        if not 0 <= index < SEPTUPLET_LENGTH:
            raise InputError(f"a septuplet frame index must be in 0..{SEPTUPLET_LENGTH - 1}, got {index!r}")
        return self.folder / f"im{index + 1}.png"

    def index_file(self, i: int, j: int, k: int) -> Path:
        """Path of the distance index of frame ``j`` between frames ``i`` and ``k`` (on frame ``i``'s grid)."""
        return self.folder / index_name(i, j, k)

    def missing_frames(self) -> list[Path]:
        """Frames that do not exist."""
        return [self.frame(k) for k in range(SEPTUPLET_LENGTH) if not self.frame(k).is_file()]


def _sequences_root(root: Path) -> Path:
    return root / SEQUENCES_DIR if (root / SEQUENCES_DIR).is_dir() else root


def default_lists(root: Path | str) -> list[Path]:
    """The official list files that exist under ``root`` (train first), else none."""
    root = Path(root)
    return [root / name for name in (TRAIN_LIST, TEST_LIST) if (root / name).is_file()]


def read_list(root: Path | str, list_file: Path | str) -> list[Septuplet]:
    """Septuplets named by a list file (a path, or a name relative to ``root``); blank lines are skipped."""
    root = Path(root)
    path = Path(list_file)
    if not path.is_file() and (root / path).is_file():
        path = root / path
    if not path.is_file():
        raise InputError(f"no such list file: {list_file!s} (looked in the current folder and in {root})")
    base = _sequences_root(root)
    names = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return [Septuplet(name, base / name) for name in names]


def discover(root: Path | str) -> list[Septuplet]:
    """Every folder under ``root`` holding ``im7.png``, sorted by relative path."""
    root = Path(root)
    folders = sorted({p.parent for p in root.rglob("im7.png")}, key=lambda p: p.as_posix())
    return [Septuplet(f.relative_to(root).as_posix() if f != root else f.name, f) for f in folders]


def list_septuplets(root: Path | str, lists: Sequence[Path | str] = ()) -> list[Septuplet]:
    """The septuplets ``lists`` name, or every septuplet found under ``root`` when no list is given.

    Raises ``InputError`` when ``root`` is not a folder, a listed folder is missing, or nothing is found.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"no such dataset folder: {root}")
    septuplets: list[Septuplet] = []
    for list_file in lists:
        septuplets.extend(read_list(root, list_file))
    if not lists:
        septuplets = discover(root)
    if not septuplets:
        raise InputError(f"no septuplets (<seq>/im1..im7.png) found in {root}")
    missing = [s.folder for s in septuplets if not s.folder.is_dir()]
    if missing:
        raise InputError(f"{len(missing)} listed septuplet folder(s) do not exist, e.g. {missing[0]}")
    return list(dict.fromkeys(septuplets))


def split_validation(septuplets: Sequence[Septuplet], count: int) -> tuple[list[Septuplet], list[Septuplet]]:
    """Hold out the last ``count`` septuplets for validation (the reference keeps the last 5% of its train list).

    Returns ``(train, validation)``; raises ``InputError`` if nothing would be left to train on.
    """
    if count < 0:
        raise InputError(f"the validation count must be >= 0, got {count!r}")
    if count >= len(septuplets):
        raise InputError(f"cannot hold out {count} of {len(septuplets)} septuplets for validation")
    cut = len(septuplets) - count
    return list(septuplets[:cut]), list(septuplets[cut:])
