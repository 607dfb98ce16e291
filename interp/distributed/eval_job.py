"""``interp eval --ray``: samples (sequences) scored by Ray actors with ``interp.research.evaluate.evaluate``.

Each actor loads the model (and LPIPS when its weights are present) once and scores the samples it is given with the
local path's own ``evaluate``, one sample at a time as the local path does; the driver puts the scores back in the
samples' order, so the report, and every figure printed from it, is the local run's. The dataset must be on storage
every node can read, at the same path.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType

from interp.core.progress import Progress
from interp.distributed.cluster import WorkerShape
from interp.distributed.units import describe_nodes, run_units, start_actors
from interp.distributed.workers import SHARED_STORAGE_HINT, ModelSpec, node_id
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.research.evaluate import Report, Sample, Score, evaluate
from interp.research.maps import MapOptions


@dataclass(frozen=True)
class SampleDone:
    """A scored sample: its position in the job, its scores, the model's name and where it ran."""

    index: int
    scores: tuple[Score, ...]
    model: str
    node_id: str
    pid: int
    seconds: float


class EvalWorker:
    """A Ray actor that scores samples with one model (and LPIPS when available), loaded once."""

    def __init__(self, spec: ModelSpec, iters: int, map_options: MapOptions, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.spec, self.iters, self.map_options = spec, iters, map_options
        self._interpolator: Interpolator | None = None
        self._lpips = None

    def _model(self) -> Interpolator:
        if self._interpolator is None:
            from interp.research.lpips import LPIPS

            interpolator = self.spec.load()
            lpips = LPIPS.from_checkpoints()
            self._lpips = None if lpips is None else lpips.to(interpolator.device)
            self._interpolator = interpolator
        return self._interpolator

    def ready(self) -> tuple[str, int]:
        """Load the model and LPIPS; return (node id, process id)."""
        self._model()
        return node_id(), os.getpid()

    def score(self, item: tuple[int, Sample]) -> SampleDone:
        """Score sample ``item[1]`` (``item[0]``: its position) with ``interp.research.evaluate.evaluate``."""
        started = time.perf_counter()
        index, sample = item
        if not sample.frame0.is_file():
            raise InputError(
                f"a Ray worker on {os.uname().nodename} cannot read {sample.frame0}; {SHARED_STORAGE_HINT}"
            )
        model = self._model()
        report = evaluate(model, [sample], self.iters, map_options=self.map_options, lpips=self._lpips)
        seconds = time.perf_counter() - started
        return SampleDone(index, tuple(report.scores), model.spec.name, node_id(), os.getpid(), seconds)


@dataclass
class EvalRayReport:
    """The scores in the samples' order, the model's name and the samples each node scored."""

    report: Report
    model: str = ""
    workers: int = 0
    by_node: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        return describe_nodes("samples", self.by_node, self.workers)


def run_eval_job(
    ray: ModuleType,
    shape: WorkerShape,
    spec: ModelSpec,
    samples: Sequence[Sample],
    iters: int = 2,
    map_options: MapOptions | None = None,
    progress: Progress | None = None,
) -> EvalRayReport:
    """Score every sample on Ray; the same report as ``interp.research.evaluate.evaluate`` with the model ``spec``
    loads."""
    done: dict[int, SampleDone] = {}
    result = EvalRayReport(Report())

    def finished(sample: SampleDone) -> None:
        done[sample.index] = sample
        result.by_node[sample.node_id] = result.by_node.get(sample.node_id, 0) + 1
        if progress is not None:
            progress(len(done), len(samples))

    actors = start_actors(ray, EvalWorker, shape, (spec, iters, map_options or MapOptions()))
    result.workers = len(actors)
    run_units(ray, actors, enumerate(samples), "score", finished)
    for index in range(len(samples)):
        result.report.scores.extend(done[index].scores)
        result.model = done[index].model
    return result
