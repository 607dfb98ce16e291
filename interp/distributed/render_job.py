"""``interp render --ray`` with several projects: each project file is one unit, rendered by a Ray actor with
``interp.project.requests.render_request`` (the function the local path calls), models loaded once per actor.

The project files and the output folders must be on storage every node can read and write, at the same path. A
project that fails is reported as one line and the others still render; a project lost with a worker process is
rendered again by Ray (its output folder is written all-or-nothing, so a retry leaves no mixture).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import ModuleType

from interp.distributed.cluster import WorkerShape
from interp.distributed.units import describe_nodes, run_units, start_actors
from interp.distributed.workers import ModelSpec, node_id
from interp.engine.interpolator import Interpolator
from interp.errors import InterpError
from interp.project.requests import RenderRequest, render_request


class RenderWorker:
    """A Ray actor that renders project files; each model it needs is loaded once (device and precision from
    ``spec``, the model's name from each project)."""

    def __init__(self, spec: ModelSpec, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.spec = spec
        self._models: dict[str, Interpolator] = {}

    def _model(self, name: str) -> Interpolator:
        if name not in self._models:
            s = self.spec
            self._models[name] = Interpolator.load(name, s.checkpoint, s.device, s.fp16, s.scale, s.batch_size)
        return self._models[name]

    def ready(self) -> tuple[str, int]:
        """(node id, process id); models load with the first project that needs them."""
        return node_id(), os.getpid()

    def render(self, unit: tuple[int, RenderRequest]) -> tuple[int, str, str]:
        """(index, the line describing the result or ``failed: …``, node id) for one project."""
        index, request = unit
        try:
            line = render_request(request, self._model)
        except InterpError as exc:
            line = f"failed: {exc}"
        return index, line, node_id()


def run_render_job(
    ray: ModuleType, shape: WorkerShape, spec: ModelSpec, requests: Sequence[RenderRequest]
) -> tuple[list[str], str]:
    """Render every request on the cluster: the lines in the requests' order and where they were rendered."""
    actors = start_actors(ray, RenderWorker, shape, (spec,))
    lines = [""] * len(requests)
    by_node: dict[str, int] = {}

    def collect(result: tuple[int, str, str]) -> None:
        index, line, node = result
        lines[index] = line
        by_node[node] = by_node.get(node, 0) + 1

    run_units(ray, actors, enumerate(requests), "render", collect)
    return lines, describe_nodes("projects", by_node, len(actors))
