"""``python -m interp render``: render a project file headlessly (frames, GIF, MP4)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from interp.cli.common import (
    add_model_args,
    add_output_folder_args,
    check_output_folder,
    model_arg,
    positive_float,
    positive_int,
    progress_bar,
)
from interp.engine import Interpolator
from interp.manipulate import RENDERERS
from interp.pipeline import drain, iter_project_outputs, render_project, resolve_renderer
from interp.project import LOOPS, Project, Segmenter, load_inputs, load_project, with_overrides


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render a project file (objects with their own distance curves)",
        description="Render a manipulated interpolation project (see the README's 'Project files'). Flags override "
        "the file. Writes frame_0000.png… and, on request, a looping GIF and an H.264 MP4.",
    )
    parser.add_argument("project", type=Path, help="project JSON file")
    add_output_folder_args(parser)
    parser.add_argument("--gif", action="store_true", help="also write interp.gif")
    parser.add_argument("--mp4", action="store_true", help="also write interp.mp4")
    parser.add_argument(
        "--renderer",
        choices=RENDERERS,
        default=None,
        help="splat (layered splatting, default for rife-v4), maps (distance maps covering each "
        "object's path) or naive (frame-0 masks + blur)",
    )
    parser.add_argument("--num-frames", type=positive_int, default=None, help="frames in the sequence (>= 2)")
    parser.add_argument("--fps", type=positive_float, default=None, help="frame rate of the animations")
    parser.add_argument("--loop", choices=LOOPS, default=None, help="animation order (default: the project's)")
    add_model_args(parser, from_project=True)
    parser.set_defaults(func=run)


def _segmenter_for(project: Project) -> Segmenter | None:
    """A segmenter when some object is given by clicks (SAM when its weights exist, else the fallback)."""
    if not any(obj.mask is None for obj in project.objects):
        return None
    from sam_utils.segmenter import make_segmenter  # only projects with clicks need segmentation

    segmenter = make_segmenter("auto")
    print(f"segmenting clicked objects with {segmenter.describe()}")
    return lambda img0, img1, clicks, box: segmenter.segment(img0, clicks, box, next_image=img1).mask


def run(args: argparse.Namespace) -> int:
    check_output_folder(args.out, args.force)
    project = with_overrides(
        load_project(args.project),
        model=model_arg(args),
        renderer=args.renderer,
        num_frames=args.num_frames,
        fps=args.fps,
        iters=args.iters,
        loop=args.loop,
    )
    inputs = load_inputs(project, segment=_segmenter_for(project))
    started = time.perf_counter()
    interpolator = Interpolator.load(
        project.model, args.checkpoint, args.device, args.fp16, args.scale, args.batch_size
    )
    renderer = resolve_renderer(project, interpolator)
    with progress_bar("rendering") as progress:
        frames = render_project(project, inputs, interpolator, progress)
        result = drain(iter_project_outputs(frames, args.out, project.fps, args.gif, args.mp4, project.loop, renderer))
    extras = "".join(f", {p.name}" for p in (result.gif, result.mp4) if p is not None)
    print(
        f"wrote {len(result.frames)} frames{extras} to {args.out} with {project.model} ({renderer}) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return 0
