"""A generated clip with an exact answer: a textured disc gliding over a textured, slowly panning background."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from interp.io.images import write_image
from tests.segment.conftest import tiny_sam_checkpoint  # noqa: F401 (a fixture for the refinement tests)

HEIGHT, WIDTH, FRAMES = 120, 160, 12


@dataclass(frozen=True)
class Clip:
    """The clip's folder of frames (``00000.png``…) and the object's true mask on every frame."""

    folder: Path
    frames: list[np.ndarray]
    masks: list[np.ndarray]


def texture(height: int, width: int, seed: int, scale: int) -> np.ndarray:
    """Smooth random colour texture: ``height x width x 3`` uint8."""
    import cv2

    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (height // scale + 2, width // scale + 2, 3), dtype=np.uint8)
    return cv2.resize(coarse, (width + 2 * scale, height + 2 * scale), interpolation=cv2.INTER_CUBIC)


def make_clip(folder: Path) -> Clip:
    """Frames where a reddish textured disc (radius 22) moves 5 px right and 2 px down per frame over a greenish
    background that pans 1 px per frame."""
    background = texture(HEIGHT, WIDTH + FRAMES, 1, 8).astype(np.int32)
    background[..., 1] = np.clip(background[..., 1] + 60, 0, 255)
    disc = texture(48, 48, 2, 6).astype(np.int32)
    disc[..., 0] = np.clip(disc[..., 0] + 90, 0, 255)
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    frames, masks = [], []
    for k in range(FRAMES):
        frame = background[:HEIGHT, k : k + WIDTH].copy()
        cx, cy = 35 + 5 * k, 40 + 2 * k
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 <= 22**2
        ys, xs = np.nonzero(mask)
        frame[ys, xs] = disc[ys - cy + 24, xs - cx + 24]
        frame = frame.astype(np.uint8)
        write_image(folder / f"{k:05d}.png", frame)
        frames.append(frame)
        masks.append(mask)
    return Clip(folder, frames, masks)


@pytest.fixture(scope="session")
def disc_clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    return make_clip(tmp_path_factory.mktemp("disc-clip"))
