"""Real-footage ground-truth cases for ``bench_real.py`` (definitions in ``real/cases.json``, made by
``make_real_cases.py``): three real frames each, frames i and i+2 registered onto frame i+1's background, and object
masks from the segmenter. Frames are read in place from ``../shared/data`` (never copied into the tree)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interp.io.decode import iter_frames
from interp.io.images import read_image
from interp.research.registration import warp_homography
from sam_utils.masks import read_mask_png

HERE = Path(__file__).resolve().parent / "real"
CASES_FILE = HERE / "cases.json"
REGISTERED_FILE = HERE / "registered.json"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class RealCase:
    """One case: ``frames`` (``H x W x 3`` uint8: i and i+2 registered onto i+1, then i+1), ``valid`` (``H x W``
    bool, pixels both warps fill), ``masks`` (``H x W`` bool per object, on registered frame i) and their names."""

    name: str
    frame0: np.ndarray
    middle: np.ndarray
    frame1: np.ndarray
    valid: np.ndarray
    masks: tuple[np.ndarray, ...]
    object_names: tuple[str, ...]


def load_definitions(kind: str = "cases") -> list[dict]:
    """The hand-written definitions (sources, frames, clicks): ``"cases"`` (with ground truth) or ``"sheets"``
    (frame pairs for contact sheets)."""
    return json.loads(CASES_FILE.read_text())[kind]


def read_masks(definition: dict) -> tuple[np.ndarray, ...]:
    """The stored object masks of a case or sheet."""
    count = len(definition["objects"])
    return tuple(read_mask_png(HERE / "masks" / f"{definition['name']}-{k}.png") for k in range(count))


def read_raw_frames(definition: dict, root: Path = SHARED_DATA) -> list[np.ndarray]:
    """The three frames of a case as they are on disk (images by name, or video frames by index)."""
    source = root / definition["source"]
    if not source.exists():
        raise FileNotFoundError(f"{source} not found: bench_real needs ../shared/data beside the project")
    if source.is_dir():
        return [read_image(source / name) for name in definition["frames"]]
    wanted = sorted(definition["frames"])
    frames = dict(zip(wanted, _pick(iter_frames(source), wanted), strict=True))
    return [frames[index] for index in definition["frames"]]


def _pick(frames, indices: list[int]) -> list[np.ndarray]:
    picked = []
    for index, frame in enumerate(itertools.islice(frames, max(indices) + 1)):
        if index in indices:
            picked.append(frame)
    return picked


def warp(image: np.ndarray, homography: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``image`` warped by ``homography`` onto the same size, and the ``H x W`` bool of pixels it fills."""
    if np.allclose(homography, np.eye(3)):
        return image, np.ones(image.shape[:2], bool)
    return warp_homography(image, homography)


def load_case(definition: dict, registered: dict, root: Path = SHARED_DATA) -> RealCase:
    """A case with its stored registration and masks applied."""
    name = definition["name"]
    raw0, middle, raw1 = read_raw_frames(definition, root)
    frame0, valid0 = warp(raw0, np.array(registered[name]["homography0"]))
    frame1, valid1 = warp(raw1, np.array(registered[name]["homography1"]))
    masks = read_masks(definition)
    names = tuple(o["name"] for o in definition["objects"])
    return RealCase(name, frame0, middle, frame1, valid0 & valid1, masks, names)


def load_cases(root: Path = SHARED_DATA) -> list[RealCase]:
    """Every case, registered and with its masks (run ``make_real_cases.py`` first)."""
    registered = json.loads(REGISTERED_FILE.read_text())
    return [load_case(d, registered, root) for d in load_definitions()]
