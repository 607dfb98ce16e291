"""Follow an object through a clip from the frames it is given on: a mask for every frame, fixable anywhere.

The object is given (a mask) on one or more clip frames. Every other frame takes its mask from the nearest given
frame, followed frame by frame (``propagate.step``): before the first given frame backwards from it, after the last
forwards from it, and between two given frames forwards from the earlier one up to the middle and backwards from the
later one after it. So a mask given again on a frame where the tracker went wrong wins there and fixes the frames
around it, up to halfway to the next given frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from interp.clip.frames import ClipFrames
from interp.clip.propagate import ObjectState, TrackParams, flow_engine, start_state, step
from interp.clip.refine import Refine
from interp.core.progress import Progress
from interp.errors import InputError


@dataclass(frozen=True)
class Run:
    """Frames ``start`` (a given frame) to ``stop`` (exclusive) in direction ``direction`` (+1 or -1)."""

    start: int
    stop: int
    direction: int

    def frames(self) -> range:
        """The frames after ``start`` that this run fills, in the order it reaches them."""
        return range(self.start + self.direction, self.stop, self.direction)


def plan_runs(given: list[int], num_frames: int) -> list[Run]:
    """The runs that fill every frame of a ``num_frames`` clip from the ``given`` frames (sorted, distinct).

    Given frames 2 and 7 of 10: frame 2 fills 1, 0 and 3, 4; frame 7 fills 6, 5 and 8, 9.
    """
    if not given:
        raise InputError("the object must be given on at least one frame")
    if given != sorted(set(given)):
        raise InputError(f"the given frames must be distinct, got {given!r}")
    runs = [Run(given[0], -1, -1)]
    for earlier, later in itertools.pairwise(given):
        middle = (earlier + later) // 2 + 1  # the earlier frame fills up to and including the middle
        runs += [Run(earlier, middle, 1), Run(later, middle - 1, -1)]
    runs.append(Run(given[-1], num_frames, 1))
    return [run for run in runs if len(run.frames())]


def to_work_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A full-size mask (bool) as a soft mask at the working size ``(h, w)`` (area average): float32 in [0, 1]."""
    return cv2.resize(mask.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def to_full_mask(soft: np.ndarray, height: int, width: int, threshold: float) -> np.ndarray:
    """A working-size soft mask as a full-size ``height x width`` bool mask (bilinear, then ``> threshold``)."""
    return cv2.resize(soft, (width, height), interpolation=cv2.INTER_LINEAR) > threshold


def check_given(clip: ClipFrames, masks: Mapping[int, np.ndarray]) -> None:
    """``InputError`` for a given frame outside the clip, a mask of another size, or an empty mask."""
    for index, mask in masks.items():
        clip.check_index(index)
        if mask.shape != (clip.info.height, clip.info.width):
            raise InputError(
                f"the mask for frame {index} is {mask.shape[1]}x{mask.shape[0]}, but the clip's frames are "
                f"{clip.info.width}x{clip.info.height}"
            )
        if not mask.any():
            raise InputError(f"the mask for frame {index} is empty: it must mark the object")


def follow(
    clip: ClipFrames, run: Run, mask: np.ndarray, params: TrackParams, refine: Refine | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(frame index, full-size bool mask)`` for the frames of ``run``, starting from ``mask`` (full size) on
    ``run.start``. Runs are independent of each other: the local tracker and Ray workers call this alike.

    ``refine``: re-segments each propagated mask on its (working-size) frame; its answer is carried on.
    """
    engine = flow_engine()
    previous = clip.work(run.start)
    state: ObjectState = start_state(previous, to_work_mask(mask, clip.shape), params)
    for index in run.frames():
        frame = clip.work(index)
        state = step(state, previous, frame, engine, params)
        answer = refine(frame, state.soft > params.threshold) if refine is not None else None
        if answer is not None:
            state.soft = answer.astype(np.float32)
        previous = frame
        yield index, to_full_mask(state.soft, clip.info.height, clip.info.width, params.threshold)


def track(
    clip: ClipFrames,
    masks: Mapping[int, np.ndarray],
    params: TrackParams | None = None,
    progress: Progress | None = None,
    refine: Refine | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(frame index, full-size bool mask)`` for every frame of ``clip``, each once (given frames first).

    ``masks``: the object on the frames it is given on (``H x W`` bool at the clip's full size). Frames are read
    one at a time; memory does not grow with the clip's length.
    """
    params = params or TrackParams()
    check_given(clip, masks)
    done = 0
    for index in sorted(masks):
        done += 1
        yield index, masks[index].astype(bool)
        if progress is not None:
            progress(done, len(clip))
    for run in plan_runs(sorted(masks), len(clip)):
        for index, mask in follow(clip, run, masks[run.start], params, refine):
            done += 1
            yield index, mask
            if progress is not None:
                progress(done, len(clip))
