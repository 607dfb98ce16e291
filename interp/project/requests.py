"""One project file rendered into one folder: what ``interp render`` asks, the same for the local run and Ray workers.

``render_request`` is called by the CLI (``interp.cli.render``) and by the Ray actors of ``interp.distributed`` alike,
so it lives below both of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from interp.core.progress import Progress, drain
from interp.engine.interpolator import Interpolator
from interp.engine.manipulator import choose_renderer
from interp.errors import InputError
from interp.project.clip_render import check_clip_project, render_clip
from interp.project.clip_schema import ClipProject, is_clip_document, parse_clip_project, read_document
from interp.project.inputs import load_inputs
from interp.project.pipeline import iter_project_outputs, render_project
from interp.project.schema import Project, SegmentFn, parse_project, with_overrides
from sam_utils.segmenter import Segmenter, make_segmenter


@dataclass(frozen=True)
class RenderRequest:
    """What ``interp render`` asks of one project: the flags that override the file, and where the files go."""

    project: Path
    out: Path
    model: str | None = None
    renderer: str | None = None
    num_frames: int | None = None
    fps: float | None = None
    iters: int | None = None
    loop: str | None = None
    gif: bool = False
    mp4: bool = False


@cache
def shared_segmenter() -> Segmenter:
    """The process's one segmenter (SAM when its weights exist, else the fallback), made at its first use: a run
    over many projects, or a Ray worker rendering one project after another, loads SAM once."""
    return make_segmenter("auto")


def segmenter_for(project: Project) -> SegmentFn | None:
    """A clicks-to-mask function when some object is given by clicks, else None (nothing to segment)."""
    if not any(obj.mask is None for obj in project.objects):
        return None
    segmenter = shared_segmenter()
    return lambda img0, img1, clicks, box: segmenter.segment(img0, clicks, box, next_image=img1).mask


def render_request(
    request: RenderRequest, interpolator_for: Callable[[str], Interpolator], progress: Progress | None = None
) -> str:
    """Render one project file into ``request.out`` (all-or-nothing) and return the line that describes it.

    ``interpolator_for`` gives the loaded model of a name; ``progress(done, total)`` follows the frames.
    """
    document = read_document(request.project)
    if is_clip_document(document):
        return _render_clip_request(request, document, interpolator_for, progress)
    project = with_overrides(
        parse_project(document, request.project.parent.resolve()),
        model=request.model,
        renderer=request.renderer,
        num_frames=request.num_frames,
        fps=request.fps,
        iters=request.iters,
        loop=request.loop,
    )
    segment = segmenter_for(project)
    inputs = load_inputs(project, segment=segment)
    started = time.perf_counter()
    interpolator = interpolator_for(project.model)
    renderer = choose_renderer(interpolator, project.renderer)
    frames = render_project(project, inputs, interpolator, progress)
    steps = iter_project_outputs(frames, request.out, project.fps, request.gif, request.mp4, project.loop, renderer)
    result = drain(steps)
    extras = "".join(f", {p.name}" for p in (result.gif, result.mp4) if p is not None)
    clicked = f"; clicked objects segmented with {shared_segmenter().describe()}" if segment is not None else ""
    return (
        f"wrote {len(result.frames)} frames{extras} to {request.out} with {project.model} ({renderer}) in "
        f"{time.perf_counter() - started:.1f} s{clicked}"
    )


def clip_segmenter(project: ClipProject) -> SegmentFn | None:
    """A clicks-to-mask function when some object of a clip project is given by clicks or a box."""
    if not any(obj.masks is None and obj.spec.mask is None for obj in project.objects):
        return None
    segmenter = shared_segmenter()
    return lambda image, following, clicks, box: segmenter.segment(image, clicks, box, next_image=following).mask


def clip_request_project(request: RenderRequest, document: object) -> ClipProject:
    """The clip project (version 2) a request renders: the flags that apply to clips override the file; the others
    are refused."""
    for flag, value in (("--renderer", request.renderer), ("--loop", request.loop)):
        if value is not None:
            raise InputError(f"{flag} does not apply to a clip project ({request.project})")
    project = parse_clip_project(document, request.project.parent.resolve())
    overrides = {"model": request.model, "num_frames": request.num_frames, "fps": request.fps, "iters": request.iters}
    project = replace(project, **{key: value for key, value in overrides.items() if value is not None})
    check_clip_project(project)
    return project


def _render_clip_request(
    request: RenderRequest,
    document: object,
    interpolator_for: Callable[[str], Interpolator],
    progress: Progress | None,
) -> str:
    project = clip_request_project(request, document)
    interpolator = interpolator_for(project.model)
    return render_clip(project, interpolator, request.out, request.gif, request.mp4, clip_segmenter(project), progress)
