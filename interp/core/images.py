"""Image conversions shared by every layer."""

from __future__ import annotations

import numpy as np

from interp.errors import InputError


def to_uint8(frame: np.ndarray) -> np.ndarray:
    """``H x W x 3`` float in [0, 1] -> ``uint8`` (rounded)."""
    return np.clip(np.rint(frame * 255.0), 0, 255).astype(np.uint8)


def check_frame(frame: np.ndarray) -> np.ndarray:
    """Validate an ``H x W x 3`` uint8 RGB frame; returns it."""
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise InputError(f"a frame must be H x W x 3 uint8 RGB, got {frame.dtype} {frame.shape}")
    return frame
