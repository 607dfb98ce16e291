"""``python -m interp render``: render a project file headlessly (frames, GIF, MP4)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from interp.cli.common import (
    add_model_args,
    add_output_folder_args,
    add_ray_args,
    check_output_folder,
    expand_inputs,
    model_arg,
    positive_float,
    positive_int,
    progress_bar,
)
from interp.core.renderers import RENDERERS
from interp.engine.interpolator import Interpolator
from interp.errors import InputError, InterpError
from interp.project.requests import RenderRequest, render_request
from interp.project.schema import LOOPS


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    parser.description = (
        "Render a manipulated interpolation project (see the README's 'Project files'). Flags override "
        "the file. Writes frame_0000.png… and, on request, a looping GIF and an H.264 MP4."
    )
    parser.add_argument(
        "project",
        type=Path,
        nargs="+",
        help="project JSON file; several files or a folder of them render into --out/NAME/ each",
    )
    add_output_folder_args(parser)
    parser.add_argument("--gif", action="store_true", help="also write interp.gif")
    parser.add_argument("--mp4", action="store_true", help="also write interp.mp4")
    parser.add_argument(
        "--renderer",
        choices=RENDERERS,
        default=None,
        help="composite (uniform-time network frames composited per object, default for rife-v4), splat (layered "
        "splatting), maps (distance maps covering each "
        "object's path) or naive (frame-0 masks + blur)",
    )
    parser.add_argument("--num-frames", type=positive_int, default=None, help="frames in the sequence (>= 2)")
    parser.add_argument("--fps", type=positive_float, default=None, help="frame rate of the animations")
    parser.add_argument("--loop", choices=LOOPS, default=None, help="animation order (default: the project's)")
    add_model_args(parser, from_project=True)
    add_ray_args(parser)
    parser.set_defaults(func=run)


def project_files(paths: list[Path]) -> list[Path]:
    """The projects named on the command line: files as given, folders as their ``*.json`` files (sorted)."""
    return expand_inputs(paths, (".json",), "project")


def _requests(args: argparse.Namespace, projects: list[Path], several: bool) -> list[RenderRequest]:
    """One request per project: into --out itself, or --out/NAME/ for several (checked before anything runs)."""
    names = [p.stem for p in projects]
    twice = sorted({name for name in names if names.count(name) > 1})
    if several and twice:
        raise InputError(f"two projects would both write {args.out / twice[0]}; rename one or run them apart")
    requests = []
    for project in projects:
        out = args.out / project.stem if several else args.out
        check_output_folder(out, args.force)
        overrides = {"model": model_arg(args), "renderer": args.renderer, "num_frames": args.num_frames}
        overrides |= {"fps": args.fps, "iters": args.iters, "loop": args.loop, "gif": args.gif, "mp4": args.mp4}
        requests.append(RenderRequest(project, out, **overrides))
    return requests


def run(args: argparse.Namespace) -> int:
    projects = project_files(args.project)
    several = len(projects) > 1 or args.project[0].is_dir()
    requests = _requests(args, projects, several)
    if args.ray is not None:
        from interp.distributed.entry import render_on_ray  # Ray only with --ray

        lines, where = render_on_ray(args, requests)
        failed = _report(requests, lines)
        print(where)
    elif not several:
        with progress_bar("rendering") as progress:
            line = render_request(requests[0], _loader(args), progress)
        print(line)
        return 0
    else:
        load = _loader(args)
        lines = []
        for request in requests:
            try:
                with progress_bar("rendering") as progress:
                    lines.append(render_request(request, load, progress))
            except InterpError as exc:
                lines.append(f"failed: {exc}")
        failed = _report(requests, lines)
    return 1 if failed else 0


def _loader(args: argparse.Namespace) -> Callable[[str], Interpolator]:
    """Models by name, each loaded once, with the command's device and precision options."""
    loaded: dict[str, Interpolator] = {}

    def load(name: str) -> Interpolator:
        if name not in loaded:
            loaded[name] = Interpolator.load(name, args.checkpoint, args.device, args.fp16, args.scale, args.batch_size)
        return loaded[name]

    return load


def _report(requests: list[RenderRequest], lines: list[str]) -> int:
    """Print one line per project and a summary; the number of projects that failed."""
    failed = [r.project for r, line in zip(requests, lines, strict=True) if line.startswith("failed: ")]
    for request, line in zip(requests, lines, strict=True):
        print(f"{request.project}: {line}")
    print(f"{len(requests) - len(failed)} of {len(requests)} projects rendered")
    return len(failed)
