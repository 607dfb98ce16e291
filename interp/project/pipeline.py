"""Render a project end to end: frames, then the requested animations, all-or-nothing.

The CLI (``python -m interp render``) and the app call these same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from interp.core.images import to_uint8
from interp.core.progress import Progress
from interp.core.renderers import check_renderer
from interp.engine.interpolator import Interpolator
from interp.engine.manipulator import Manipulator, default_renderer
from interp.io.encode import FfmpegWriter
from interp.io.files import atomic_folder
from interp.io.images import read_image, write_image
from interp.project.schema import Project, ProjectInputs

FRAME_PATTERN = "frame_{:04d}.png"
FRAME_GLOB = "frame_*.png"
GIF_NAME = "interp.gif"
MP4_NAME = "interp.mp4"

T = TypeVar("T")
S = TypeVar("S")
Y = TypeVar("Y")


@dataclass(frozen=True)
class RenderResult:
    """Files written by ``iter_project_outputs``."""

    folder: Path
    frames: tuple[Path, ...]
    gif: Path | None
    mp4: Path | None
    renderer: str


def resolve_renderer(project: Project, interpolator: Interpolator) -> str:
    """The project's renderer, or the model's default."""
    return check_renderer(project.renderer) if project.renderer else default_renderer(interpolator)


def render_project(
    project: Project,
    inputs: ProjectInputs,
    interpolator: Interpolator,
    progress: Progress | None = None,
    manipulator: Manipulator | None = None,
) -> Iterator[np.ndarray]:
    """Yield the project's ``num_frames`` frames as ``H x W x 3`` uint8 RGB, in order.

    The first and last frames follow the curves too: an object whose curve starts at d = 1 is at its frame-1
    position in the first frame.
    """
    manipulator = manipulator or Manipulator(interpolator, iters=project.iters)
    prepared = manipulator.prepare(inputs.img0, inputs.img1, inputs.masks)
    curves = [obj.curve for obj in project.objects]
    renderer = resolve_renderer(project, interpolator)
    for frame in manipulator.render_curves(
        prepared, curves, project.background, project.num_frames, renderer, progress
    ):
        yield to_uint8(frame)


def animation_order(count: int, loop: str) -> list[int]:
    """Frame indices of the animation: forward, or there-and-back (without repeating the turning frames)."""
    forward = list(range(count))
    return forward + forward[-2:0:-1] if loop == "there-and-back" else forward


def iter_project_outputs(
    frames: Iterator[np.ndarray],
    out: Path,
    fps: float,
    gif: bool = False,
    mp4: bool = False,
    loop: str = "forward",
    renderer: str = "",
) -> Generator[int, None, RenderResult]:
    """Write ``frame_0000.png``… and the requested GIF/MP4 into ``out``, yielding the number of frames written so far.

    All-or-nothing: if anything fails, or the caller stops iterating (a cancelled render), nothing is left behind.
    The generator's return value is the ``RenderResult``.
    """
    with atomic_folder(out, owned=(FRAME_GLOB, GIF_NAME, MP4_NAME)) as staging:
        paths = []
        for index, frame in enumerate(frames):
            paths.append(write_image(staging / FRAME_PATTERN.format(index), frame))
            yield len(paths)
        with ExitStack() as stack:  # both animations in one pass: each PNG is read back once
            names = [name for name, wanted in ((GIF_NAME, gif), (MP4_NAME, mp4)) if wanted]
            writers = [stack.enter_context(FfmpegWriter(staging / name, fps)) for name in names]
            for index in animation_order(len(paths), loop) if writers else []:
                frame = read_image(paths[index])
                for writer in writers:
                    writer.write(frame)
    return RenderResult(
        folder=out,
        frames=tuple(out / p.name for p in paths),
        gif=out / GIF_NAME if gif else None,
        mp4=out / MP4_NAME if mp4 else None,
        renderer=renderer,
    )


def relay(steps: Generator[S, None, T], message: Callable[[S], Y]) -> Generator[Y, None, T]:
    """Yield ``message(step)`` for each step of ``steps`` and return its return value (``result = yield from …``).

    Closing this generator closes ``steps`` at once: a cancelled render (``iter_project_outputs``) stops between
    frames and removes what it wrote.
    """
    try:
        while True:
            try:
                step = next(steps)
            except StopIteration as done:
                return done.value
            yield message(step)
    finally:
        steps.close()


def drain(steps: Generator[object, None, T]) -> T:
    """Run a generator to the end and return its return value (e.g. ``iter_project_outputs``' ``RenderResult``)."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
