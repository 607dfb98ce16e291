"""Output sequences of a frame pair: the ``--num N1 N2 …`` time grid, rendered directly or recursively.

``--num`` keeps the seed's meaning: insert ``N1`` frames between every two frames, then ``N2`` between every two of
the result, and so on (``--num 1 1 1``: 2 -> 3 -> 5 -> 9 frames). Every level splits intervals evenly, so the final
times are a uniform grid ``k / prod(N_i + 1)``.

Two ways to fill that grid:

* **direct** (default): every in-between frame is rendered from the original pair at its own time. Distance-indexed
  models are trained for exactly this, errors do not compound, and the pair is encoded once.
* **recursive**: the seed's way: in-between frames of a level become the inputs of the next level.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from itertools import pairwise

import numpy as np

from interp.core.images import to_uint8
from interp.core.progress import Progress
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.limits import MAX_SEQUENCE_FRAMES


def frame_count(nums: Sequence[int]) -> int:
    """Number of frames (both ends included) that ``--num nums`` produces."""
    count = 2
    for n in nums:
        count += n * (count - 1)
    return count


def check_nums(nums: Sequence[int]) -> list[int]:
    """Validate ``--num``: at least one level, every value >= 0, and a bounded total."""
    values = list(nums)
    if not values:
        raise InputError("--num needs at least one value")
    if any(not isinstance(n, int) or n < 0 for n in values):
        raise InputError(f"--num values must be integers >= 0, got {values}")
    intervals = math.prod(n + 1 for n in values)
    if intervals + 1 > MAX_SEQUENCE_FRAMES:
        raise InputError(
            f"--num {' '.join(map(str, values))} asks for {intervals + 1} frames; the limit is {MAX_SEQUENCE_FRAMES}"
        )
    return values


def sequence_times(nums: Sequence[int]) -> list[float]:
    """Times of every frame of the sequence, 0 and 1 included: ``k / prod(N_i + 1)``."""
    intervals = math.prod(n + 1 for n in check_nums(nums))
    return [k / intervals for k in range(intervals + 1)]


def render_direct(
    interpolator: Interpolator,
    img0: np.ndarray,
    img1: np.ndarray,
    nums: Sequence[int],
    iters: int = 2,
    progress: Progress | None = None,
) -> Iterator[np.ndarray]:
    """Yield the ``uint8`` frames of the sequence in order; the ends are the input frames themselves."""
    times = sequence_times(nums)
    pair = interpolator.encode_pair(img0, img1)
    yield img0
    for frame in interpolator.iter_render(pair, times[1:-1], iters=iters, progress=progress):
        yield to_uint8(frame)
    yield img1


def render_recursive(
    interpolator: Interpolator,
    img0: np.ndarray,
    img1: np.ndarray,
    nums: Sequence[int],
    iters: int = 2,
    progress: Progress | None = None,
) -> Iterator[np.ndarray]:
    """Yield the ``uint8`` frames in order, re-interpolating between generated frames at each level (the seed's way).

    Depth-first, so memory holds one chain of frames per level rather than whole levels.
    """
    levels = check_nums(nums)
    total = frame_count(levels) - 2
    done = 0

    def between(a: np.ndarray, b: np.ndarray, depth: int) -> Iterator[np.ndarray]:
        nonlocal done
        if depth == len(levels):
            return
        n = levels[depth]
        pair = interpolator.encode_pair(a, b)
        inner = [to_uint8(f) for f in interpolator.iter_render(pair, [j / (n + 1) for j in range(1, n + 1)], iters)]
        chain = [a, *inner, b]
        for index, (left, right) in enumerate(pairwise(chain)):
            yield from between(left, right, depth + 1)
            if index < n:
                done += 1
                if progress is not None:
                    progress(done, total)
                yield chain[index + 1]

    yield img0
    yield from between(img0, img1, 0)
    yield img1
