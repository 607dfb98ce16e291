"""One interface over both segmenters, and the one place that decides which is used.

``make_segmenter("auto")`` gives Segment Anything when its checkpoint is found, else the weight-free fallback; the
segmenter's ``backend`` and ``describe()`` say which one it is, for the UI and the CLI to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from interp.errors import InputError
from interp.models.paths import is_present
from interp.models.registry import Kind, get_spec
from sam_utils.fallback.segmenter import FallbackSegmenter
from sam_utils.prompts import DEFAULT_SAM_MODEL, Backend, Box, Click, SegmentResult


class Segmenter(Protocol):
    """Click-to-segment. ``prepare`` does the expensive per-image work once (cached); ``segment`` is per click."""

    backend: Backend

    def describe(self) -> str:
        """One line naming the backend (shown in the UI and printed by the CLI)."""
        ...

    def prepare(self, image: np.ndarray, next_image: np.ndarray | None = None) -> object:
        """Precompute and cache what every click on ``image`` (``H x W x 3`` uint8 RGB) needs."""
        ...

    def segment(
        self,
        image: np.ndarray,
        clicks: Sequence[Click],
        box: Box | None = None,
        next_image: np.ndarray | None = None,
    ) -> SegmentResult:
        """The ``H x W`` bool mask of what the clicks point at, with a score and the backend."""
        ...


def parse_backend(name: str | Backend) -> Backend:
    """``"auto"``, ``"sam"`` or ``"fallback"`` (case-insensitive) as a ``Backend``; ``InputError`` otherwise."""
    try:
        return Backend(str(name).lower())
    except ValueError:
        known = ", ".join(b.value for b in Backend)
        raise InputError(f"unknown segmentation backend {name!r}; known: {known}") from None


def sam_weights_present(sam_model: str = DEFAULT_SAM_MODEL) -> bool:
    """Whether ``sam_model``'s official checkpoint is found in the checkpoint folders."""
    return is_present(get_spec(sam_model, Kind.SEGMENTER))


def make_segmenter(
    backend: str | Backend = Backend.AUTO,
    checkpoint: Path | str | None = None,
    sam_model: str = DEFAULT_SAM_MODEL,
    device: str | None = None,
) -> Segmenter:
    """The segmenter to use.

    Args:
        backend: ``sam`` (fails with ``WeightsError`` naming the file, the places searched and how to get it when
            the checkpoint is missing), ``fallback``, or ``auto``: SAM when ``checkpoint`` is given or
            ``sam_model``'s checkpoint is found, else the fallback.
        checkpoint: a SAM checkpoint file to use instead of searching for ``sam_model``'s official one.
        sam_model: registry name of the SAM variant to look for (``sam-vit-b``, ``sam-vit-l``, ``sam-vit-h``).
        device: torch device for SAM (default: CUDA when available).
    """
    choice = parse_backend(backend)
    get_spec(sam_model, Kind.SEGMENTER)  # an unknown name is an error whichever backend runs
    if choice is Backend.FALLBACK:
        if checkpoint is not None:
            raise InputError("--checkpoint is a SAM checkpoint; it cannot be used with the fallback backend")
        return FallbackSegmenter()
    if choice is Backend.AUTO and checkpoint is None and not sam_weights_present(sam_model):
        return FallbackSegmenter()
    from sam_utils.sam import SamSegmenter  # torch and segment_anything load only when SAM is used

    return SamSegmenter.load(checkpoint, sam_model, device)
