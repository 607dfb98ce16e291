"""Distance maps straight from masks and curves, for tests (the manipulator composes from coverage)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from interp.core.curves import Curve
from interp.core.distance_maps import DEFAULT_FEATHER_PX, compose_from_coverage, footprints
from interp.errors import InputError


def sample_distances(curves: Sequence[Curve], background: Curve, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the curves at ``times``: (``F x N`` object distances, ``F`` background distances)."""
    objects = np.stack([c(times) for c in curves], axis=1) if curves else np.zeros((len(times), 0))
    return objects, background(times)


def compose_distance_maps(
    masks: Sequence[np.ndarray],
    curves: Sequence[Curve],
    background: Curve,
    times: np.ndarray,
    flow01: np.ndarray | None = None,
    method: str = "swept",
    feather_px: float = DEFAULT_FEATHER_PX,
) -> list[np.ndarray]:
    """One ``H x W`` float32 distance map per output time.

    Args:
        masks: frame-0 masks, ``H x W`` bool, in z-order (later on top).
        curves: one distance curve per mask.
        background: the curve of every pixel outside the objects.
        times: output times in [0, 1].
        flow01: ``2 x H x W`` flow from frame 0 to frame 1 (needed by the ``"swept"`` method).
        method: ``"swept"`` (motion-aware footprint) or ``"naive"`` (frame-0 mask + blur).
        feather_px: edge feathering of the swept footprints.
    """
    if len(masks) != len(curves):
        raise InputError(f"need one curve per mask: {len(masks)} masks, {len(curves)} curves")
    object_distances, background_distances = sample_distances(curves, background, times)
    if not masks:
        if flow01 is None:
            raise InputError("without masks, pass flow01 so the map size is known")
        shape = flow01.shape[1:]
        return [np.full(shape, d, dtype=np.float32) for d in background_distances]
    coverage = footprints(masks, flow01, method, feather_px)
    return compose_from_coverage(coverage, object_distances, background_distances)
