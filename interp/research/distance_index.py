"""The distance index: per pixel, how far along its path from frame ``i`` to frame ``k`` a pixel is at frame ``j``.

With the optical flows ``F_i->j`` and ``F_i->k`` (``H x W x 2``, pixels, on frame ``i``'s grid) the index is the
projection ratio (InterpAny-Clearer, eq. 2)::

    D = <F_i->j, F_i->k> / |F_i->k|^2

It is exact for a pixel that moves on a straight line (then ``F_i->j = D F_i->k``), and for constant velocity it is
the time ratio ``(j - i) / (k - i)``.

**Where nothing moves** (``|F_i->k|`` near 0) the ratio is undefined: the reference divides by zero and writes
``inf``/``nan``, then skips such samples while training. Here the ratio is the least-squares solution with a weak
prior towards the time ratio ``t``::

    D = argmin_d |F_i->j - d F_i->k|^2 + m^2 (d - t)^2 = (<F_i->j, F_i->k> + m^2 t) / (|F_i->k|^2 + m^2)

with ``m`` = ``motion_prior`` pixels (default 0.5). Where the path is long (``|F_i->k| >> m``) this is the plain
ratio (the bias is ``m^2 / (|F_i->k|^2 + m^2)`` of ``t - D``: 0.25% at 10 px); where nothing moves it is ``t``, the
value uniform interpolation would use and the one that keeps the map smooth: for a static pixel every ``D`` renders
the same thing, so the choice only matters for its neighbours. ``motion_prior=0`` gives the plain ratio, with ``t``
only where ``|F_i->k|`` is exactly 0.

**Occlusions**: a pixel of frame ``i`` hidden at frame ``j`` or ``k`` has no true correspondence; its flow (and so its
index) is whatever the flow method extrapolates, usually its neighbours' motion. Nothing special is done there, as
in the reference; ``interp.research.groundtruth`` measures the error on visible and occluded pixels separately.

Maps are stored as float16 ``.npy`` named ``dis_index_{i}_{j}_{k}.npy`` (official naming, frames 0-based), next to
the frames, for both directions: ``i < j < k`` (frame ``i``'s grid) and ``k > j > i`` (frame ``k``'s grid, used when
training reverses time). Values are not clipped to [0, 1] (training and evaluation clip); only to
``[-MAX_ABS_INDEX, MAX_ABS_INDEX]`` so that float16 holds them.
"""

from __future__ import annotations

import re
from itertools import combinations

import cv2
import numpy as np

from interp.errors import InputError

INDEX_PATTERN = "dis_index_{}_{}_{}.npy"
_INDEX_RE = re.compile(r"^dis_index_(\d+)_(\d+)_(\d+)\.npy$")
#: Prior strength (pixels) that pulls the index towards the time ratio where the path is shorter than this.
DEFAULT_MOTION_PRIOR = 0.5
#: Stored values are clipped to +-this (float16 holds up to 65504; real indices are near [0, 1]).
MAX_ABS_INDEX = 100.0
INDEX_DTYPE = np.float16


def index_name(i: int, j: int, k: int) -> str:
    """The official file name of the index of frame ``j`` between frames ``i`` and ``k``: ``dis_index_i_j_k.npy``."""
    if len({i, j, k}) != 3 or min(i, j, k) < 0 or not (i < j < k or i > j > k):
        raise InputError(f"an index needs j strictly between i and k (all >= 0), got {(i, j, k)!r}")
    return INDEX_PATTERN.format(i, j, k)


def parse_index_name(name: str) -> tuple[int, int, int] | None:
    """``(i, j, k)`` of an official index file name, else ``None``."""
    match = _INDEX_RE.match(name)
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def ordered_triples(length: int) -> list[tuple[int, int, int]]:
    """Every ``(i, j, k)`` with ``j`` strictly between ``i`` and ``k``, both directions: 70 for a septuplet.

    Ordered as the reference writes them: for each ``i < j < k``, first ``(i, j, k)`` then ``(k, j, i)``.
    """
    triples = []
    for i, j, k in combinations(range(length), 3):
        triples += [(i, j, k), (k, j, i)]
    return triples


def time_ratio(i: int, j: int, k: int) -> float:
    """``(j - i) / (k - i)``: the index of constant velocity (``1 - time_ratio(k, j, i)``)."""
    if i == k:
        raise InputError(f"time ratio needs i != k, got {(i, j, k)!r}")
    return (j - i) / (k - i)


def _check_flow(name: str, flow: np.ndarray) -> None:
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise InputError(f"{name} must be H x W x 2, got shape {flow.shape}")


def distance_index(
    flow_ij: np.ndarray,
    flow_ik: np.ndarray,
    prior: float,
    motion_prior: float = DEFAULT_MOTION_PRIOR,
) -> np.ndarray:
    """The distance index ``H x W`` float32 from two flows on frame ``i``'s grid (see the module docstring).

    Args:
        flow_ij: ``F_i->j``, ``H x W x 2`` (x, y) in pixels.
        flow_ik: ``F_i->k``, same shape.
        prior: the value where nothing moves, normally ``time_ratio(i, j, k)``.
        motion_prior: ``m`` in pixels (>= 0); 0 gives the plain projection ratio.
    """
    _check_flow("flow_ij", flow_ij)
    _check_flow("flow_ik", flow_ik)
    if flow_ij.shape != flow_ik.shape:
        raise InputError(f"the two flows differ in shape: {flow_ij.shape} vs {flow_ik.shape}")
    if not motion_prior >= 0:
        raise InputError(f"motion_prior must be >= 0 pixels, got {motion_prior!r}")
    a = flow_ij.astype(np.float64)
    b = flow_ik.astype(np.float64)
    inner = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1]
    length2 = b[..., 0] ** 2 + b[..., 1] ** 2
    m2 = float(motion_prior) ** 2
    denominator = length2 + m2
    safe = denominator > 0
    index = np.full(length2.shape, float(prior))
    index[safe] = (inner[safe] + m2 * prior) / denominator[safe]
    return index.astype(np.float32)


def downsample_map(index: np.ndarray, factor: int) -> np.ndarray:
    """Shrink a map by an integer ``factor`` with area averaging (as the reference stores its maps), float32."""
    if factor < 1:
        raise InputError(f"downsample factor must be an integer >= 1, got {factor!r}")
    index = np.asarray(index, dtype=np.float32)
    if factor == 1:
        return index
    height, width = index.shape
    if height < factor or width < factor:
        raise InputError(f"a {width}x{height} map cannot be downsampled by {factor}")
    return cv2.resize(index, (width // factor, height // factor), interpolation=cv2.INTER_AREA)


def stored_shape(height: int, width: int, factor: int) -> tuple[int, int]:
    """Shape of a stored map for frames of ``height x width`` downsampled by ``factor``."""
    return (height // factor, width // factor) if factor > 1 else (height, width)


def to_storage(index: np.ndarray) -> np.ndarray:
    """The stored form: finite float16, clipped to ``+-MAX_ABS_INDEX`` (nan, which the math never makes, -> 0)."""
    clipped = np.clip(np.nan_to_num(np.asarray(index, dtype=np.float32), nan=0.0), -MAX_ABS_INDEX, MAX_ABS_INDEX)
    return clipped.astype(INDEX_DTYPE)
