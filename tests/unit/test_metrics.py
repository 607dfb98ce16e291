"""PSNR and SSIM on small arrays with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interp.research.metrics import psnr, quantize, ssim


def test_psnr_known_value() -> None:
    a = np.zeros((16, 16, 3))
    b = np.full((16, 16, 3), 0.1)
    assert psnr(a, b) == pytest.approx(20.0)
    assert psnr(a, a) == math.inf


def test_ssim_identity_and_degradation() -> None:
    rng = np.random.default_rng(0)
    image = rng.random((48, 48, 3))
    noisy = np.clip(image + rng.normal(0, 0.1, image.shape), 0, 1)
    assert ssim(image, image) == pytest.approx(1.0)
    assert 0.0 < ssim(image, noisy) < 0.95
    assert ssim(image, noisy) > ssim(image, rng.random((48, 48, 3)))


def test_shape_mismatch_and_tiny_images() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(np.zeros((4, 4, 3)), np.zeros((4, 5, 3)))
    with pytest.raises(ValueError, match="larger than 11"):
        ssim(np.zeros((8, 8, 3)), np.zeros((8, 8, 3)))


def test_quantize_rounds_to_eight_bits() -> None:
    assert quantize(np.array([0.5, 1.2, -0.1])) == pytest.approx([128 / 255, 1.0, 0.0])
