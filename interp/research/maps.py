"""Turning a stored distance-index map into the map a network sees: resize, clip, blur. One place for training,
validation and evaluation.

The reference stores maps at half resolution and, before use, resizes them to the frame size, clips them to [0, 1]
(``--clip``) and blurs them with a Gaussian (``--blur``: 9 x 9 at full resolution in the [D,R] recipe and benchmark,
5 x 5 at half resolution in the [D] recipe, about the same support). The maps of the official TR/DR/D runs were
all clipped and blurred, at training and at test time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from interp.errors import InputError

#: Gaussian kernel size of the reference's ``--blur`` (sigma from OpenCV's rule: 0.3 * ((k - 1) / 2 - 1) + 0.8).
REFERENCE_BLUR = 9


@dataclass(frozen=True)
class MapOptions:
    """How stored maps are prepared: clip to [0, 1], then blur with a ``blur x blur`` Gaussian (0 = none)."""

    clip: bool = True
    blur: int = REFERENCE_BLUR

    def __post_init__(self) -> None:
        check_blur(self.blur)


def check_blur(blur: int) -> int:
    """A Gaussian kernel size: 0 (off) or an odd integer >= 3."""
    if blur != 0 and (blur < 3 or blur % 2 == 0):
        raise InputError(f"the map blur must be 0 (off) or an odd kernel size >= 3, got {blur!r}")
    return blur


def resize_map(values: np.ndarray, height: int, width: int) -> np.ndarray:
    """An ``h x w`` map resized to ``height x width`` float32: area averaging to shrink, bilinear to enlarge."""
    values = np.asarray(values, dtype=np.float32)
    if values.shape == (height, width):
        return values
    shrinking = values.shape[0] > height and values.shape[1] > width
    method = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(values, (width, height), interpolation=method)


def prepare_map(values: np.ndarray, height: int, width: int, options: MapOptions, fallback: float) -> np.ndarray:
    """A stored map -> ``height x width`` float32 for the network.

    ``nan`` (official files can hold it where nothing moved) becomes ``fallback`` (the time ratio), ``+-inf`` the
    nearest end of [0, 1]; then resize, clip and blur as ``options`` say.
    """
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != 2:
        raise InputError(f"a distance map must be 2-D (H x W), got shape {values.shape}")
    values = np.nan_to_num(values, nan=fallback, posinf=1.0, neginf=0.0)
    values = resize_map(values, height, width)
    if options.clip:
        values = np.clip(values, 0.0, 1.0)
    if options.blur:
        values = cv2.GaussianBlur(values, (options.blur, options.blur), 0)
    return values


def load_map(path: Path, height: int, width: int, options: MapOptions, fallback: float) -> np.ndarray:
    """Read a ``.npy`` map and prepare it (``InputError`` naming the file when it is unreadable)."""
    try:
        values = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read distance map {path}: {exc}") from exc
    return prepare_map(values, height, width, options, fallback)
