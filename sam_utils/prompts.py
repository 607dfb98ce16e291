"""What a user gives a segmenter (clicks, an optional box) and what comes back (a mask, a score, the backend)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from interp.errors import InputError
from interp.project.schema import Box, Click  # the one click and box types, shared with projects and the app

__all__ = ["Backend", "Box", "Click", "SegmentResult", "check_image", "check_pair", "check_prompts"]

#: The SAM variant looked for unless another is asked for (registry name in ``interp.models.registry``).
DEFAULT_SAM_MODEL = "sam-vit-b"


class Backend(StrEnum):
    """Which segmenter produced a mask (``AUTO`` is only a request: SAM when its weights exist, else the fallback)."""

    AUTO = "auto"
    SAM = "sam"
    FALLBACK = "fallback"


@dataclass(frozen=True, eq=False)
class SegmentResult:
    """One segmentation.

    Attributes:
        mask: ``H x W`` bool, True on the object, the size of the image.
        score: confidence in [0, 1]: SAM's predicted IoU, or the fallback's evidence score (see its docs).
        backend: which segmenter made the mask.
    """

    mask: np.ndarray
    score: float
    backend: Backend


def check_prompts(clicks: Sequence[Click], box: Box | None, height: int, width: int) -> None:
    """Raise ``InputError`` unless there is a positive click and every click and the box lie inside the image."""
    if not any(click.positive for click in clicks):
        raise InputError("at least one positive click (a point on the object) is needed, got none")
    for click in clicks:
        if not (math.isfinite(click.x) and math.isfinite(click.y)):
            raise InputError(f"click coordinates must be finite numbers, got ({click.x!r}, {click.y!r})")
        if not (0 <= click.x < width and 0 <= click.y < height):
            raise InputError(
                f"click ({click.x:g}, {click.y:g}) is outside the {width}x{height} image "
                f"(x must be in [0, {width}), y in [0, {height}))"
            )
    if box is not None:
        values = (box.x0, box.y0, box.x1, box.y1)
        if not all(math.isfinite(v) for v in values):
            raise InputError(f"box coordinates must be finite numbers, got {values!r}")
        if not (0 <= box.x0 < box.x1 <= width and 0 <= box.y0 < box.y1 <= height):
            raise InputError(
                f"box ({box.x0:g}, {box.y0:g}, {box.x1:g}, {box.y1:g}) must satisfy 0 <= x0 < x1 <= {width} and "
                f"0 <= y0 < y1 <= {height}"
            )
        for click in clicks:
            if click.positive and not (box.x0 <= click.x < box.x1 and box.y0 <= click.y < box.y1):
                raise InputError(f"positive click ({click.x:g}, {click.y:g}) lies outside the box {values!r}")


def check_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Validate an ``H x W x 3`` uint8 RGB image of at least 8 x 8 pixels; return it."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        described = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise InputError(f"{name} must be an H x W x 3 uint8 RGB array, got {described}")
    if image.shape[0] < 8 or image.shape[1] < 8:
        raise InputError(f"{name} must be at least 8 x 8 pixels, got {image.shape[1]}x{image.shape[0]}")
    return image


def check_pair(image: np.ndarray, next_image: np.ndarray | None) -> None:
    """Validate the image and, when given, the next frame (same size)."""
    check_image(image)
    if next_image is not None:
        check_image(next_image, "next image")
        if next_image.shape != image.shape:
            raise InputError(
                f"the next frame is {next_image.shape[1]}x{next_image.shape[0]}, the image is "
                f"{image.shape[1]}x{image.shape[0]}; both frames must have one size"
            )
