"""Image conversions shared by every layer."""

from __future__ import annotations

import numpy as np
from PIL import Image

from interp.errors import InputError


def to_uint8(frame: np.ndarray) -> np.ndarray:
    """``H x W x 3`` float in [0, 1] -> ``uint8`` (rounded)."""
    return np.clip(np.rint(frame * 255.0), 0, 255).astype(np.uint8)


def check_frame(frame: np.ndarray) -> np.ndarray:
    """Validate an ``H x W x 3`` uint8 RGB frame; returns it."""
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise InputError(f"a frame must be H x W x 3 uint8 RGB, got {frame.dtype} {frame.shape}")
    return frame


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize an ``H x W x 3`` uint8 image (Lanczos)."""
    if image.shape[:2] == (height, width):
        return image
    return np.asarray(Image.fromarray(image).resize((width, height), Image.Resampling.LANCZOS))


def resize_mask(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize an ``H x W`` bool mask (bilinear, then thresholded at one half)."""
    if mask.shape == (height, width):
        return mask
    image = Image.fromarray(mask.astype(np.uint8) * 255).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(image) > 127


def tint(image: np.ndarray, where: np.ndarray, color: tuple[int, int, int], amount: float = 0.5) -> np.ndarray:
    """A copy of ``image`` (``H x W x 3`` uint8) with the ``where`` pixels (``H x W`` bool) moved ``amount`` (in
    [0, 1]) of the way to ``color`` (RGB, 0-255)."""
    out = image.copy()
    out[where] = np.rint((1.0 - amount) * image[where] + amount * np.array(color, np.float64)).astype(np.uint8)
    return out
