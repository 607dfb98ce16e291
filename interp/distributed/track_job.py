"""``interp track --ray``: the runs of a clip (one per side of each given frame) followed on Ray workers at once.

A run starts from a given frame and needs nothing of the others, so each is one unit and the masks are exactly the
local run's. The clip must be on storage every node can read, at the same path; each worker opens it itself. A run
lost with a worker process is followed again by Ray (a run only reads, so a retry is safe).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from interp.clip.frames import WORK_SIDE, open_clip
from interp.clip.propagate import TrackParams
from interp.clip.refine import Refine, refine_with
from interp.clip.tracker import Run, follow, plan_runs
from interp.distributed.cluster import WorkerShape
from interp.distributed.units import describe_nodes, run_units, start_actors
from interp.distributed.workers import SHARED_STORAGE_HINT, node_id
from interp.errors import InputError


@dataclass(frozen=True)
class TrackUnit:
    """One run: the clip, the run, its start frame's mask (``np.packbits`` of the ``H x W`` bool mask)."""

    index: int
    clip: Path
    run: Run
    mask_bits: bytes
    shape: tuple[int, int]
    params: TrackParams
    sam: bool = False  # re-segment every frame with Segment Anything (its weights on every node)


def pack(mask: np.ndarray) -> bytes:
    """An ``H x W`` bool mask as bytes (one bit a pixel)."""
    return np.packbits(mask.astype(bool), axis=None).tobytes()


def unpack(data: bytes, shape: tuple[int, int]) -> np.ndarray:
    """The ``H x W`` bool mask that ``pack`` packed."""
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=shape[0] * shape[1])
    return bits.reshape(shape).astype(bool)


class TrackWorker:
    """A Ray actor that follows runs of clips (no model: DIS flow, colour models and graph cuts on its CPUs)."""

    def __init__(self, threads: int) -> None:
        import cv2

        cv2.setNumThreads(max(1, int(threads)))
        self._refine: Refine | None = None

    def _refiner(self) -> Refine:
        if self._refine is None:
            from sam_utils.segmenter import make_segmenter

            self._refine = refine_with(make_segmenter("sam"))
        return self._refine

    def ready(self) -> tuple[str, int]:
        """(node id, process id)."""
        return node_id(), os.getpid()

    def follow(self, unit: TrackUnit) -> tuple[int, list[tuple[int, bytes]], str]:
        """(unit index, [(frame, packed mask)…], node id) for one run."""
        if not unit.clip.exists():
            raise InputError(f"cannot read {unit.clip} on this node: {SHARED_STORAGE_HINT}")
        with open_clip(unit.clip, WORK_SIDE) as clip:
            refine = self._refiner() if unit.sam else None
            masks = follow(clip, unit.run, unpack(unit.mask_bits, unit.shape), unit.params, refine)
            return unit.index, [(index, pack(mask)) for index, mask in masks], node_id()


def run_track_job(
    ray: ModuleType,
    shape: WorkerShape,
    clip: Path,
    num_frames: int,
    masks: Mapping[int, np.ndarray],
    on_mask: Callable[[int, np.ndarray], None],
    params: TrackParams | None = None,
    sam: bool = False,
) -> str:
    """Follow the object through ``clip`` on the cluster: ``on_mask(frame, mask)`` for every frame that is not given
    (as runs finish); returns a line saying where the runs went."""
    params = params or TrackParams()
    runs = plan_runs(sorted(masks), num_frames)
    size = next(iter(masks.values())).shape
    units = [TrackUnit(i, clip.resolve(), run, pack(masks[run.start]), size, params, sam) for i, run in enumerate(runs)]
    if not units:
        return "ray: nothing to follow (every frame is given)"
    workers = WorkerShape(min(shape.workers, len(units)), shape.cpus, shape.gpus if sam else 0.0)
    actors = start_actors(ray, TrackWorker, workers)
    by_node: dict[str, int] = {}

    def collect(result: tuple[int, list[tuple[int, bytes]], str]) -> None:
        _, found, node = result
        by_node[node] = by_node.get(node, 0) + 1
        for index, data in found:
            on_mask(index, unpack(data, size))

    run_units(ray, actors, units, "follow", collect)
    return describe_nodes("runs", by_node, len(actors))
