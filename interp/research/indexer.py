"""Write every distance-index file of a septuplet dataset: resumable, atomic, in worker processes on CPU.

For each septuplet, every ``(i, j, k)`` of ``distance_index.ordered_triples(7)`` (70 files) gets
``dis_index_{i}_{j}_{k}.npy`` next to the frames. A file that already exists with the expected shape and dtype is
kept (so an interrupted run resumes where it stopped); a septuplet whose 70 files are all there is skipped without
reading its frames or starting a worker. Each needed flow is computed once per septuplet (at most 42 ordered pairs).

CPU flows run in ``workers`` processes (spawn-safe: each builds its own estimator); RAFT on a GPU runs in this
process, batched.
"""

from __future__ import annotations

import functools
import io
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from interp.engine.device import pick_device
from interp.errors import InputError
from interp.io.files import atomic_path
from interp.io.images import read_image
from interp.research.distance_index import (
    DEFAULT_MOTION_PRIOR,
    INDEX_DTYPE,
    distance_index,
    downsample_map,
    index_name,
    ordered_triples,
    stored_shape,
    time_ratio,
    to_storage,
)
from interp.research.flow import FlowEstimator, check_available, make_estimator
from interp.research.vimeo import SEPTUPLET_LENGTH, Septuplet

Triple = tuple[int, int, int]


@dataclass(frozen=True)
class IndexOptions:
    """How to index.

    Attributes:
        method: ``"dis"`` or ``"raft"`` (resolve ``auto`` with ``flow.choose_method`` first).
        downsample: stored maps are ``1/downsample`` of the frame size (area-averaged), as the reference's
            ``--downsample_ratio`` (default 2: official files are 224 x 128 for 448 x 256 frames).
        flow_scale: estimate flow at this fraction of the frame size (1 = full resolution, as the reference).
        chain: compose long-range flows from neighbouring-frame ones (``None``: yes for DIS, no for RAFT).
        motion_prior: pixels; see ``distance_index.distance_index``.
        device: for RAFT (default CUDA when available).
        overwrite: recompute files that already exist.
    """

    method: str = "dis"
    downsample: int = 2
    flow_scale: float = 1.0
    chain: bool | None = None
    motion_prior: float = DEFAULT_MOTION_PRIOR
    device: str | None = None
    overwrite: bool = False

    def __post_init__(self) -> None:
        if self.downsample < 1:
            raise InputError(f"--downsample must be an integer >= 1, got {self.downsample!r}")


@dataclass
class IndexReport:
    """What a run did."""

    septuplets: int = 0
    written: int = 0
    kept: int = 0

    def add(self, written: int, kept: int) -> None:
        self.septuplets += 1
        self.written += written
        self.kept += kept


def frame_size(septuplet: Septuplet) -> tuple[int, int]:
    """``(height, width)`` of the septuplet's first frame (header only); ``InputError`` naming a missing frame."""
    missing = septuplet.missing_frames()
    if missing:
        raise InputError(f"septuplet {septuplet.name} lacks {missing[0]}")
    with Image.open(septuplet.frame(0)) as image:
        return image.height, image.width


@functools.lru_cache(maxsize=8)
def stored_file_size(shape: tuple[int, int]) -> int:
    """Bytes of a float16 ``.npy`` of ``shape`` as ``np.save`` writes it (header + data)."""
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(shape, dtype=INDEX_DTYPE), allow_pickle=False)
    return len(buffer.getvalue())


def pending_triples(septuplet: Septuplet, options: IndexOptions) -> list[Triple]:
    """The triples whose file is missing or has the wrong size (all of them with ``overwrite``).

    One directory scan per septuplet and a size comparison per file: cheap enough for the 4.5 million files of
    Vimeo-90K. Files are written atomically, so a file of the right size is a complete one.
    """
    triples = ordered_triples(SEPTUPLET_LENGTH)
    if options.overwrite:
        return triples
    expected = stored_file_size(stored_shape(*frame_size(septuplet), options.downsample))
    with os.scandir(septuplet.folder) as entries:
        sizes = {entry.name: entry.stat().st_size for entry in entries if entry.name.startswith("dis_index_")}
    return [t for t in triples if sizes.get(index_name(*t)) != expected]


def write_index(path: Path, index: np.ndarray) -> None:
    """Save a map in the stored form (float16), atomically."""
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        np.save(handle, to_storage(index), allow_pickle=False)


def index_septuplet(septuplet: Septuplet, estimator: FlowEstimator, options: IndexOptions) -> tuple[int, int]:
    """Write the septuplet's missing index files; returns ``(written, kept)``."""
    todo = pending_triples(septuplet, options)
    total = len(ordered_triples(SEPTUPLET_LENGTH))
    if not todo:
        return 0, total
    frames = [read_image(septuplet.frame(k)) for k in range(SEPTUPLET_LENGTH)]
    pairs = sorted({p for i, j, k in todo for p in ((i, j), (i, k))})
    flows = estimator.flows(frames, pairs)
    for i, j, k in todo:
        index = distance_index(flows[i, j], flows[i, k], time_ratio(i, j, k), options.motion_prior)
        write_index(septuplet.index_file(i, j, k), downsample_map(index, options.downsample))
    return len(todo), total - len(todo)


# ---------------------------------------------------------------- worker processes
_worker_estimator: FlowEstimator | None = None


def _init_worker(options: IndexOptions) -> None:
    """Build this worker's estimator once; one thread each (the processes are the parallelism)."""
    global _worker_estimator  # per-process state of a process pool
    import cv2

    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    _worker_estimator = make_estimator(options.method, options.device, options.flow_scale, options.chain)


def _index_in_worker(septuplet: Septuplet, options: IndexOptions) -> tuple[int, int]:
    if _worker_estimator is None:
        raise RuntimeError("worker used before _init_worker")
    return index_septuplet(septuplet, _worker_estimator, options)


def runs_in_process(options: IndexOptions, workers: int) -> bool:
    """RAFT on CUDA and single-worker runs stay in this process."""
    device = pick_device(options.device)
    on_gpu = options.method == "raft" and device.type != "cpu"
    return workers <= 1 or on_gpu


def index_dataset(
    septuplets: Sequence[Septuplet],
    options: IndexOptions,
    workers: int = 1,
    progress: Callable[[IndexReport, int], None] | None = None,
) -> IndexReport:
    """Index every septuplet; ``progress(report, total)`` after each. Raises the first worker's error."""
    check_available(options.method)  # fail here, with the registry's message, not inside a worker
    report = IndexReport()
    total = len(septuplets)
    if runs_in_process(options, workers):
        estimator = make_estimator(options.method, options.device, options.flow_scale, options.chain)
        for septuplet in septuplets:
            report.add(*index_septuplet(septuplet, estimator, options))
            if progress is not None:
                progress(report, total)
        return report
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(options,)) as pool:
        queue = list(reversed(septuplets))
        running: set[Future[tuple[str, int, int]]] = set()
        try:
            while queue or running:
                while queue and len(running) < 2 * workers:  # bounded: a million futures would cost memory
                    septuplet = queue.pop()
                    if pending_triples(septuplet, options):
                        running.add(pool.submit(_index_in_worker, septuplet, options))
                    else:
                        report.add(0, len(ordered_triples(SEPTUPLET_LENGTH)))
                        if progress is not None:
                            progress(report, total)
                if not running:
                    continue
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    report.add(*future.result())
                    if progress is not None:
                        progress(report, total)
        except BaseException:
            for future in running:
                future.cancel()
            raise
    return report
