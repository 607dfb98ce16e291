"""What the CLI calls when a command is given ``--ray``: connect, size the workers, run the job, describe it."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from interp.cli.common import model_arg
from interp.distributed.cluster import LOCAL, ray_session, worker_shape
from interp.distributed.video_job import run_video_job
from interp.distributed.workers import ModelSpec
from interp.video import OutputPlan, VideoOptions, VideoResult
from interp.videoio import VideoInfo


def model_spec(args: argparse.Namespace) -> ModelSpec:
    """The model the ``--model``/``--checkpoint``/… arguments name, for the workers to load."""
    return ModelSpec(model_arg(args), args.checkpoint, args.device, args.fp16, args.scale, args.batch_size)


def video_on_ray(
    args: argparse.Namespace,
    info: VideoInfo,
    plan: OutputPlan,
    options: VideoOptions,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[VideoResult, str]:
    """``interp video --ray``: the result and a line saying where the chunks were rendered."""
    with ray_session(args.ray or LOCAL) as ray:
        shape = worker_shape(ray, args.device, args.ray_workers, args.ray_cpus)
        result, report = run_video_job(
            ray, shape, model_spec(args), info, plan, options, args.out, args.chunk_frames, progress=progress
        )
    return result, report.describe()
