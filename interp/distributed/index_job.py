"""``interp dataset index --ray``: septuplets indexed by Ray actors with ``interp.research.indexer.index_septuplet``.

The driver skips septuplets whose 70 files are all there (as the local path does) and submits the others, a bounded
number at a time. Each actor builds its flow estimator once (DIS on the CPUs Ray gave it; RAFT on a GPU when the
cluster has one) and writes the septuplet's missing files atomically itself, next to the frames: the dataset must be
on storage every node can read and write, at the same path. A septuplet lost with a worker process is retried by
Ray; the files it had already written are kept, the rest are written by the retry, so the files are the local run's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import ModuleType

from interp.distributed.cluster import WorkerShape
from interp.distributed.units import describe_nodes, run_units, start_actors
from interp.distributed.workers import node_id
from interp.errors import InputError
from interp.research.distance_index import ordered_triples
from interp.research.flow import FlowEstimator, check_available, make_estimator
from interp.research.indexer import IndexOptions, IndexReport, index_septuplet, pending_triples
from interp.research.vimeo import SEPTUPLET_LENGTH, Septuplet


@dataclass(frozen=True)
class SeptupletDone:
    """A septuplet indexed by a worker: files written and kept, and where."""

    name: str
    written: int
    kept: int
    node_id: str
    pid: int
    seconds: float


class IndexWorker:
    """A Ray actor that indexes septuplets with one flow estimator, built once."""

    def __init__(self, options: IndexOptions, threads: int) -> None:
        import cv2
        import torch

        cv2.setNumThreads(threads)
        torch.set_num_threads(threads)
        self.options = options
        self._estimator: FlowEstimator | None = None

    def _flow(self) -> FlowEstimator:
        if self._estimator is None:
            options = self.options
            self._estimator = make_estimator(options.method, options.device, options.flow_scale, options.chain)
        return self._estimator

    def ready(self) -> tuple[str, int]:
        """Build the estimator; return (node id, process id)."""
        self._flow()
        return node_id(), os.getpid()

    def index(self, septuplet: Septuplet) -> SeptupletDone:
        """Write the septuplet's missing files (``index_septuplet``)."""
        started = time.perf_counter()
        if not septuplet.folder.is_dir():
            raise InputError(
                f"a Ray worker on {os.uname().nodename} cannot read {septuplet.folder}; the dataset must be on "
                "storage every node can read and write, at the same path"
            )
        written, kept = index_septuplet(septuplet, self._flow(), self.options)
        return SeptupletDone(septuplet.name, written, kept, node_id(), os.getpid(), time.perf_counter() - started)


@dataclass
class IndexRayReport:
    """What the Ray job did: the local report's counts, and the septuplets each node indexed."""

    index: IndexReport = field(default_factory=IndexReport)
    workers: int = 0
    by_node: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        return describe_nodes("septuplets", self.by_node, self.workers)


def run_index_job(
    ray: ModuleType,
    shape: WorkerShape,
    septuplets: Sequence[Septuplet],
    options: IndexOptions,
    progress: Callable[[IndexReport, int], None] | None = None,
    on_done: Callable[[SeptupletDone], None] | None = None,
) -> IndexRayReport:
    """Index every septuplet on Ray; the same files as ``interp.research.indexer.index_dataset``.

    Args:
        ray: the connected ``ray`` module.
        shape: how many workers and what each asks for.
        septuplets, options: as for the local path.
        progress: ``progress(report, total)`` after each septuplet (skipped ones included).
        on_done: called with each septuplet a worker finished (tests use it to kill a worker mid-job).
    """
    check_available(options.method)
    report = IndexRayReport()
    total = len(septuplets)
    full = len(ordered_triples(SEPTUPLET_LENGTH))

    def todo() -> Iterator[Septuplet]:
        for septuplet in septuplets:
            if pending_triples(septuplet, options):
                yield septuplet
            else:  # finished in an earlier run: no worker needed
                report.index.add(0, full)
                if progress is not None:
                    progress(report.index, total)

    def finished(done: SeptupletDone) -> None:
        report.index.add(done.written, done.kept)
        report.by_node[done.node_id] = report.by_node.get(done.node_id, 0) + 1
        if progress is not None:
            progress(report.index, total)
        if on_done is not None:
            on_done(done)

    units = todo()
    first = next(units, None)
    if first is None:  # nothing left to do: start no worker
        return report
    actors = start_actors(ray, IndexWorker, shape, (options,))
    report.workers = len(actors)
    run_units(ray, actors, _chain(first, units), "index", finished)
    return report


def _chain(first: Septuplet, rest: Iterator[Septuplet]) -> Iterator[Septuplet]:
    yield first
    yield from rest
