"""Fixtures of the research tests: copies of a few shared Vimeo septuplets (indexed once) and synthetic septuplets."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from interp.io.images import write_image
from interp.research.indexer import IndexOptions, index_dataset
from interp.research.vimeo import SEPTUPLET_LENGTH, list_septuplets
from tests.conftest import shared_path

#: Shared septuplets copied for the tests (never written to in place).
SEQUENCES = ("00001_0001", "00002_0001", "00002_0005")


def copy_septuplets(target: Path, names: tuple[str, ...] = SEQUENCES) -> Path:
    """Copy shared septuplets' frames into ``target`` (a flat septuplet tree); return ``target``."""
    source = shared_path("data", "eval", "vimeo90k_septuplet")
    for name in names:
        (target / name).mkdir(parents=True)
        for k in range(1, SEPTUPLET_LENGTH + 1):
            shutil.copyfile(source / name / f"im{k}.png", target / name / f"im{k}.png")
    return target


def write_septuplet(folder: Path, frames: tuple[np.ndarray, ...]) -> Path:
    """Write RGB frames as ``im1..im7.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    for k, frame in enumerate(frames):
        write_image(folder / f"im{k + 1}.png", frame)
    return folder


@pytest.fixture(scope="session")
def indexed_vimeo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three shared septuplets with all 70 distance-index files each (DIS, official half-resolution maps)."""
    root = copy_septuplets(tmp_path_factory.mktemp("vimeo"))
    index_dataset(list_septuplets(root), IndexOptions(method="dis", downsample=2))
    return root


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Train on one thread: on a shared 2-core machine, two busy processes with 2 threads each slow down ~20x."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
