"""Image quality metrics on ``H x W x 3`` float arrays in [0, 1]."""

from __future__ import annotations

import math

import cv2
import numpy as np

from interp.errors import InputError

_SSIM_WINDOW = 11
_SSIM_SIGMA = 1.5
_C1 = (0.01 * 1.0) ** 2
_C2 = (0.03 * 1.0) ** 2


def _check_pair(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise InputError(f"images differ in shape: {a.shape} vs {b.shape}")


def quantize(image: np.ndarray) -> np.ndarray:
    """Round a float image in [0, 1] to the 256 levels an 8-bit file would hold (as published benchmarks do)."""
    return np.round(np.clip(image, 0.0, 1.0) * 255.0) / 255.0


def psnr(a: np.ndarray, b: np.ndarray, peak: float = 1.0, where: np.ndarray | None = None) -> float:
    """Peak signal-to-noise ratio in dB for data range ``peak`` (1 for floats in [0, 1], 255 for uint8), over the
    pixels of ``where`` (``H x W`` bool) when given; ``inf`` for identical images."""
    _check_pair(a, b)
    squared = (a.astype(np.float64) - b.astype(np.float64)) ** 2
    mse = float(np.mean(squared[where] if where is not None else squared))
    return math.inf if mse == 0 else 10.0 * math.log10(peak**2 / mse)


def _filter(image: np.ndarray) -> np.ndarray:
    blurred = cv2.GaussianBlur(image, (_SSIM_WINDOW, _SSIM_WINDOW), _SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)
    half = _SSIM_WINDOW // 2
    return blurred[half:-half, half:-half]


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Structural similarity (Wang et al. 2004): 11x11 Gaussian window, sigma 1.5, valid region, mean over RGB."""
    _check_pair(a, b)
    if min(a.shape[:2]) <= _SSIM_WINDOW:
        raise InputError(f"images must be larger than {_SSIM_WINDOW} px for SSIM, got {a.shape[:2]}")
    x, y = a.astype(np.float64), b.astype(np.float64)
    mu_x, mu_y = _filter(x), _filter(y)
    var_x = _filter(x * x) - mu_x**2
    var_y = _filter(y * y) - mu_y**2
    cov = _filter(x * y) - mu_x * mu_y
    numerator = (2 * mu_x * mu_y + _C1) * (2 * cov + _C2)
    denominator = (mu_x**2 + mu_y**2 + _C1) * (var_x + var_y + _C2)
    return float(np.mean(numerator / denominator))
