"""Image conversions shared by every layer."""

from __future__ import annotations

import numpy as np


def to_uint8(frame: np.ndarray) -> np.ndarray:
    """``H x W x 3`` float in [0, 1] -> ``uint8`` (rounded)."""
    return np.clip(np.rint(frame * 255.0), 0, 255).astype(np.uint8)
