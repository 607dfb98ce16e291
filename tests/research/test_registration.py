"""Registering a frame onto another's background (for the real-footage ground truth of bench/bench_real.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from interp.io.images import read_image
from interp.research.registration import corner_shift, register
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A real textured photo (UCF101 triplet 21's first frame, 320 x 240)."""
    return read_image(shared_path("data", "eval", "ucf101", "21", "frame0.png"))


def test_a_known_camera_move_is_undone(photo: np.ndarray) -> None:
    moved_by = np.array([[1.0, 0.01, 4.5], [-0.01, 1.0, -3.0], [0.0, 0.0, 1.0]])
    moving = cv2.warpPerspective(photo, np.linalg.inv(moved_by), (320, 240), flags=cv2.INTER_CUBIC)
    result = register(moving, photo)
    error = corner_shift(result.homography @ np.linalg.inv(moved_by), 240, 320)
    assert error < 1.0  # pixels, at the worst corner of the frame
    assert result.valid.mean() > 0.9
    inner = result.valid.copy()
    inner[:10], inner[-10:], inner[:, :10], inner[:, -10:] = False, False, False, False
    difference = np.abs(result.image.astype(float) - photo.astype(float))[inner].mean()
    assert difference < 4  # grey levels: the backgrounds line up


def test_a_still_camera_stays_the_identity(photo: np.ndarray) -> None:
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 2, photo.shape), 0, 255).astype(np.uint8)
    result = register(noisy, photo)
    assert np.array_equal(result.homography, np.eye(3))
    assert np.array_equal(result.image, noisy)
    assert result.valid.all()


def test_unrelated_frames_are_an_error() -> None:
    flat = np.full((240, 320, 3), 128, np.uint8)
    with pytest.raises(ValueError, match="features"):
        register(flat, flat)
