"""``interp render --ray`` on a clip project: every object followed once, on the driver; the output frames rendered in
chunks by Ray actors; the frames and animations written as the local run writes them.

The driver tracks the objects, writes their masks into a work folder next to the output (one mask per clip frame per
object) and a copy of the project that names those folders, so no worker tracks again: each actor opens the clip,
reads the masks and renders its range of output frames into the work folder. The driver then writes the output
folder from those frames (all-or-nothing, the MP4 with the clip's audio where the local run keeps it) and removes the
work folder in every case. The clip, the project and the output must be on storage every node reads at the same path.
A chunk lost with its worker is rendered again by Ray (frames are written whole, by their output index).
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from interp.core.progress import Progress, drain
from interp.distributed.cluster import WorkerShape
from interp.distributed.render_job import RenderWorker
from interp.distributed.units import describe_nodes, run_units, start_actors
from interp.distributed.workers import ModelSpec, node_id
from interp.errors import InputError
from interp.io.images import read_image, write_image
from interp.io.outputs import FRAME_PATTERN, write_sequence
from interp.project.clip_render import ClipStats, audio_plan, open_job, open_masks
from interp.project.clip_schema import CLIP_VERSION, ClipProject, load_clip_project, output_fps, read_document
from interp.project.requests import RenderRequest, clip_request_project, clip_segmenter
from interp.project.schema import FORMAT
from sam_utils.masks import write_mask_png

#: Output frames per chunk at least (fewer chunks than this would spend more time opening the clip than rendering).
MIN_CHUNK_FRAMES = 8
#: Chunks per worker (so a slow worker does not hold the others back).
CHUNKS_PER_WORKER = 3


@dataclass(frozen=True)
class RetimeUnit:
    """Output frames ``start`` to ``stop`` (exclusive) of the project in ``project_file``, written into ``frames``."""

    index: int
    project_file: Path
    start: int
    stop: int
    frames: Path


def plan_ranges(num_output: int, workers: int, least: int = MIN_CHUNK_FRAMES) -> list[tuple[int, int]]:
    """Split ``num_output`` output frames into consecutive ``(start, stop)`` ranges, about ``CHUNKS_PER_WORKER`` per
    worker and at least ``least`` frames each (the last may be shorter)."""
    size = max(least, math.ceil(num_output / max(1, workers * CHUNKS_PER_WORKER)))
    return [(start, min(start + size, num_output)) for start in range(0, num_output, size)]


class RetimeWorker(RenderWorker):
    """A Ray actor that renders ranges of a clip project's output frames (models loaded once per actor, as the
    project renderer's are)."""

    def render_range(self, unit: RetimeUnit) -> tuple[int, int, int, str]:
        """(unit index, invented pixels, pixels, node id) for one range, its frames written into ``unit.frames``."""
        if not unit.project_file.is_file():
            raise InputError(f"cannot read {unit.project_file} on this node: the work folder must be on shared storage")
        project = load_clip_project(unit.project_file)
        invented = pixels = 0
        with ExitStack() as stack:
            job = open_job(project, self._model(project.model), stack)
            frames = job.retimer.render_all(job.timings[unit.start : unit.stop])
            for index, retimed in zip(range(unit.start, unit.stop), frames, strict=True):
                write_image(unit.frames / FRAME_PATTERN.format(index), retimed.image)
                invented += int(retimed.invented.sum())
                pixels += retimed.invented.size
        return unit.index, invented, pixels, node_id()


def masks_document(project: ClipProject, clip: Path, folders: Sequence[Path], num_output: int, fps: float) -> dict:
    """The project as a document whose objects are given by mask folders (absolute paths: no tracking again)."""
    objects = [
        {"name": obj.spec.name, "masks": str(folder), "curve": obj.spec.curve.to_points()}
        for obj, folder in zip(project.objects, folders, strict=True)
    ]
    return {
        "format": FORMAT,
        "version": CLIP_VERSION,
        "video": str(clip),
        "num_frames": num_output,
        "fps": fps,
        "model": project.model,
        "iters": project.iters,
        "background": {"curve": project.background.to_points()},
        "objects": objects,
    }


def _frames(folder: Path, count: int) -> Iterator[np.ndarray]:
    for index in range(count):
        yield read_image(folder / FRAME_PATTERN.format(index))


def run_retime_job(
    ray: ModuleType,
    shape: WorkerShape,
    spec: ModelSpec,
    request: RenderRequest,
    progress: Progress | None = None,
) -> tuple[str, str]:
    """Render one clip project's request on the cluster: the line describing the result, and where it ran."""
    project = clip_request_project(request, read_document(request.project))
    work = request.out.parent / f".{request.out.name}.ray-{os.getpid()}"
    try:
        with ExitStack() as stack:
            opened = open_masks(project, stack, clip_segmenter(project), progress)
            count = len(opened.clip)
            folders = []
            for index in range(len(project.objects)):
                folder = work / f"masks-{index}"
                for frame in range(count):
                    write_mask_png(folder / f"mask_{frame:04d}.png", opened.store.get(index, frame))
                folders.append(folder)
            num_output = project.num_frames or count
            fps = output_fps(project, opened.clip.info.fps)
            audio, notice = audio_plan(project, opened.path, num_output, fps, count)
            document = masks_document(project, opened.path.resolve(), folders, num_output, fps)
        project_file = work / "project.json"
        project_file.write_text(json.dumps(document), encoding="utf-8")
        frames = work / "frames"
        frames.mkdir()
        units = [
            RetimeUnit(i, project_file, start, stop, frames)
            for i, (start, stop) in enumerate(plan_ranges(num_output, shape.workers))
        ]
        workers = WorkerShape(min(shape.workers, len(units)), shape.cpus, shape.gpus)
        actors = start_actors(ray, RetimeWorker, workers, (spec,))
        stats = ClipStats(notices=[notice] if notice else [])
        by_node: dict[str, int] = {}

        def collect(result: tuple[int, int, int, str]) -> None:
            _, invented, pixels, node = result
            stats.invented += invented
            stats.pixels += pixels
            by_node[node] = by_node.get(node, 0) + 1

        run_units(ray, actors, units, "render_range", collect)
        steps = write_sequence(
            _frames(frames, num_output),
            request.out,
            fps,
            gif=request.gif,
            mp4=request.mp4,
            audio_from=opened.path if audio else None,
            audio_codec=audio or "aac",
        )
        written = drain(steps)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    extras = "".join(f", {p.name}" for p in (written.gif, written.mp4) if p is not None)
    line = (
        f"wrote {len(written.frames)} frames{extras} to {request.out}: {len(project.objects)} objects retimed over "
        f"{count} clip frames with {project.model} on Ray; {100 * stats.invented_share:.2f} % of the output's pixels "
        "invented (background no frame shows)"
    )
    return "\n".join([line, *stats.notices]), describe_nodes("chunks", by_node, len(actors))
