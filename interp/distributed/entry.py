"""What the CLI calls when a command is given ``--ray``: connect, size the workers, run the job, describe it."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from interp.cli.common import model_arg, progress_bar
from interp.core.progress import Progress
from interp.distributed.cluster import LOCAL, ray_session, worker_shape
from interp.distributed.eval_job import run_eval_job
from interp.distributed.index_job import run_index_job
from interp.distributed.video_job import run_video_job
from interp.distributed.workers import ModelSpec
from interp.engine.video import OutputPlan, VideoOptions, VideoResult
from interp.io.decode import VideoInfo
from interp.project.requests import RenderRequest
from interp.research.evaluate import Report, Sample
from interp.research.indexer import IndexOptions, IndexReport
from interp.research.maps import MapOptions
from interp.research.vimeo import Septuplet


def model_spec(args: argparse.Namespace) -> ModelSpec:
    """The model the ``--model``/``--checkpoint``/… arguments name, for the workers to load."""
    return ModelSpec(model_arg(args), args.checkpoint, args.device, args.fp16, args.scale, args.batch_size)


def video_on_ray(
    args: argparse.Namespace,
    info: VideoInfo,
    plan: OutputPlan,
    options: VideoOptions,
    out: Path,
    progress: Progress | None = None,
) -> tuple[VideoResult, str]:
    """``interp video --ray``: the result and a line saying where the chunks were rendered."""
    with ray_session(args.ray or LOCAL) as ray:
        shape = worker_shape(ray, args.device, args.ray_workers, args.ray_cpus)
        result, report = run_video_job(
            ray, shape, model_spec(args), info, plan, options, out, args.chunk_frames, progress=progress
        )
    return result, report.describe()


@contextmanager
def ray_videos(
    args: argparse.Namespace, options: VideoOptions
) -> Iterator[Callable[[VideoInfo, OutputPlan, Path], VideoResult]]:
    """``interp video --ray`` with several inputs: one Ray session for all of them; yields a function that renders
    one input (its chunks across the workers) and prints where they ran."""
    with ray_session(args.ray or LOCAL) as ray:
        shape = worker_shape(ray, args.device, args.ray_workers, args.ray_cpus)

        def render(info: VideoInfo, plan: OutputPlan, out: Path) -> VideoResult:
            with progress_bar("interpolating") as progress:
                result, report = run_video_job(
                    ray, shape, model_spec(args), info, plan, options, out, args.chunk_frames, progress=progress
                )
            print(report.describe())
            return result

        yield render


def track_on_ray(
    args: argparse.Namespace,
    clip: Path,
    num_frames: int,
    masks: Mapping[int, np.ndarray],
    on_mask: Callable[[int, np.ndarray], None],
    sam: bool = False,
) -> str:
    """``interp track --ray``: each run of the clip on a worker (a GPU each when ``sam`` re-segments and the cluster
    has GPUs, else CPUs); returns a line saying where they ran."""
    from interp.distributed.track_job import run_track_job

    with ray_session(args.ray or LOCAL) as ray:
        shape = worker_shape(ray, None if sam else "cpu", args.ray_workers, args.ray_cpus)
        return run_track_job(ray, shape, clip, num_frames, masks, on_mask, sam=sam)


def render_on_ray(args: argparse.Namespace, requests: Sequence[RenderRequest]) -> tuple[list[str], str]:
    """``interp render --ray``: one line per project (in order) and a line saying where they were rendered.

    Two-frame projects are one unit each; a clip project's output frames are split in chunks across the workers
    (its objects followed once, here)."""
    from interp.distributed.render_job import run_render_job
    from interp.distributed.retime_job import run_retime_job
    from interp.errors import InterpError
    from interp.project.clip_schema import is_clip_document, read_document

    def is_clip(request: RenderRequest) -> bool:
        try:
            return is_clip_document(read_document(request.project))
        except InterpError:
            return False  # reported by the project's own render

    clips = [is_clip(request) for request in requests]
    with ray_session(args.ray or LOCAL) as ray:
        shape = worker_shape(ray, args.device, args.ray_workers, args.ray_cpus)
        spec = ModelSpec(None, args.checkpoint, args.device, args.fp16, args.scale, args.batch_size)
        pairs = [request for request, clip in zip(requests, clips, strict=True) if not clip]
        lines_of_pairs, where = run_render_job(ray, shape, spec, pairs) if pairs else ([], "")
        lines, places = [], [where] if where else []
        for request, clip in zip(requests, clips, strict=True):
            if not clip:
                lines.append(lines_of_pairs.pop(0))
                continue
            try:
                with progress_bar("rendering") as progress:
                    line, place = run_retime_job(ray, shape, spec, request, progress)
                places.append(place)
            except InterpError as exc:
                line = f"failed: {exc}"
            lines.append(line)
        return lines, "\n".join(places)


def index_on_ray(
    args: argparse.Namespace,
    septuplets: Sequence[Septuplet],
    options: IndexOptions,
    progress: Callable[[IndexReport, int], None] | None = None,
) -> tuple[IndexReport, str]:
    """``interp dataset index --ray``: DIS workers ask for CPUs, RAFT workers for a GPU each when the cluster has one;
    the report and a line saying where the septuplets were indexed."""
    with ray_session(args.ray or LOCAL) as ray:
        device = "cpu" if options.method == "dis" else options.device
        shape = worker_shape(ray, device, args.ray_workers, args.ray_cpus)
        report = run_index_job(ray, shape, septuplets, options, progress)
    return report.index, report.describe()


def eval_on_ray(
    args: argparse.Namespace,
    samples: Sequence[Sample],
    map_options: MapOptions,
    progress: Progress | None = None,
) -> tuple[Report, str, str]:
    """``interp eval --ray``: the report (the local run's), the model's name and where the samples were scored."""
    with ray_session(args.ray or LOCAL) as ray:
        shape = worker_shape(ray, args.device, args.ray_workers, args.ray_cpus)
        job = run_eval_job(ray, shape, model_spec(args), samples, args.iters, map_options, progress)
    return job.report, job.model, job.describe()
