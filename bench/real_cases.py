"""Real-footage ground-truth cases for ``bench_real.py`` (definitions in ``real/cases.json``, made by
``make_real_cases.py``): three real frames each, frames i and i+2 registered onto frame i+1's background, and object
masks from the segmenter. Frames are read in place from ``../shared/data`` (never copied into the tree)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
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


def crop(image: np.ndarray, definition: dict) -> np.ndarray:
    """``image`` cut to the definition's ``"crop"`` (``[top, left, height, width]``), or as it is without one: a
    window around an object makes it a large part of the frame."""
    if "crop" not in definition:
        return image
    top, left, height, width = definition["crop"]
    return image[top : top + height, left : left + width]


def read_raw_frames(definition: dict, root: Path = SHARED_DATA) -> list[np.ndarray]:
    """The frames of a case as they are on disk (images by name, or video frames by index), cropped."""
    source = root / definition["source"]
    if not source.exists():
        raise FileNotFoundError(f"{source} not found: bench_real needs ../shared/data beside the project")
    if source.is_dir():
        return [crop(read_image(source / name), definition) for name in definition["frames"]]
    wanted = sorted(definition["frames"])
    frames = dict(zip(wanted, _pick(iter_frames(source), wanted), strict=True))
    return [crop(frames[index], definition) for index in definition["frames"]]


def read_truth_masks(definition: dict, root: Path = SHARED_DATA) -> list[np.ndarray]:
    """Per frame of a case with ``"truth_masks"`` (a folder of per-frame masks, e.g. DAVIS annotations: any non-zero
    value is the object), its true mask (``H x W`` bool, cropped like the frames)."""
    folder = root / definition["truth_masks"]
    names = [Path(name).with_suffix(".png").name for name in definition["frames"]]
    return [crop(read_image(folder / name)[..., 0] > 0, definition) for name in names]


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


#: Exposure is matched on pixels at least this far (pixels) from the objects on frame i.
EXPOSURE_MARGIN_PX = 40


def match_exposure(image: np.ndarray, reference: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``image`` (``H x W x 3`` uint8) with a per-channel gain and offset fitted to ``reference`` over ``where``
    (``H x W`` bool; the quarter of those pixels that fit worst, e.g. a moving object, are refitted without):
    cameras that adjust exposure between frames (``car-detection.mp4`` darkens by a tenth in four frames) would
    otherwise keep any background from being still."""
    out = image.astype(np.float64)
    for channel in range(3):
        x, y = out[..., channel][where], reference[..., channel][where].astype(np.float64)
        keep = np.ones(len(x), bool)
        for _ in range(2):
            gain, offset = np.polyfit(x[keep], y[keep], 1) if keep.sum() > 16 else (1.0, 0.0)
            residual = np.abs(gain * x + offset - y)
            keep = residual <= np.percentile(residual, 75)
        out[..., channel] = gain * out[..., channel] + offset
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def load_case(definition: dict, registered: dict, root: Path = SHARED_DATA) -> RealCase:
    """A case with its stored registration and masks applied, frames i and i+2 matched to frame i+1's exposure."""
    name = definition["name"]
    raw0, middle, raw1 = read_raw_frames(definition, root)
    frame0, valid0 = warp(raw0, np.array(registered[name]["homography0"]))
    frame1, valid1 = warp(raw1, np.array(registered[name]["homography1"]))
    masks = read_masks(definition)
    size = 2 * EXPOSURE_MARGIN_PX + 1
    near = cv2.dilate(np.logical_or.reduce(masks).astype(np.uint8), np.ones((size, size), np.uint8)) > 0
    background = valid0 & valid1 & ~near
    if background.sum() > 1000:
        frame0, frame1 = (match_exposure(frame, middle, background) for frame in (frame0, frame1))
    names = tuple(o["name"] for o in definition["objects"])
    return RealCase(name, frame0, middle, frame1, valid0 & valid1, masks, names)


def load_cases(root: Path = SHARED_DATA, names: list[str] | None = None) -> list[RealCase]:
    """Every case (or those ``names``), registered and with its masks (run ``make_real_cases.py`` first)."""
    registered = json.loads(REGISTERED_FILE.read_text())
    return [load_case(d, registered, root) for d in load_definitions() if names is None or d["name"] in names]
