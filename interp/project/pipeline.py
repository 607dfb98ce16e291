"""Render a project end to end: frames, then the requested animations, all-or-nothing.

The CLI (``python -m interp render``) and the app call these same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from interp.core.images import to_uint8
from interp.core.progress import Progress
from interp.engine.interpolator import Interpolator
from interp.engine.manipulator import Manipulator, choose_renderer
from interp.io.outputs import SequenceFiles, write_sequence
from interp.project.inputs import ProjectInputs
from interp.project.schema import Project

T = TypeVar("T")
S = TypeVar("S")
Y = TypeVar("Y")


@dataclass(frozen=True)
class RenderResult(SequenceFiles):
    """Files written by ``iter_project_outputs`` and the renderer that made the frames."""

    renderer: str = ""


@dataclass
class InventedShare:
    """How many of a render's pixels were invented (no input frame shows them; ``RenderedFrame.invented``)."""

    invented: int = 0
    pixels: int = 0

    def add(self, mask: np.ndarray) -> None:
        """Count one frame's ``H x W`` bool mask of invented pixels."""
        self.invented += int(mask.sum())
        self.pixels += mask.size

    @property
    def share(self) -> float:
        """Invented pixels over all pixels so far, in [0, 1] (0 before any frame)."""
        return self.invented / self.pixels if self.pixels else 0.0


def render_project(
    project: Project,
    inputs: ProjectInputs,
    interpolator: Interpolator,
    progress: Progress | None = None,
    manipulator: Manipulator | None = None,
    invented: InventedShare | None = None,
) -> Iterator[np.ndarray]:
    """Yield the project's ``num_frames`` frames as ``H x W x 3`` uint8 RGB, in order.

    The first and last frames follow the curves too: an object whose curve starts at d = 1 is at its frame-1
    position in the first frame. ``invented`` (optional) counts the pixels no input frame shows.
    """
    manipulator = manipulator or Manipulator(interpolator, iters=project.iters)
    prepared = manipulator.prepare(inputs.img0, inputs.img1, inputs.masks)
    curves = [obj.curve for obj in project.objects]
    renderer = choose_renderer(interpolator, project.renderer)
    for frame in manipulator.render_curves(
        prepared, curves, project.background, project.num_frames, renderer, progress
    ):
        if invented is not None:
            invented.add(frame.invented)
        yield to_uint8(frame.image)


def iter_project_outputs(
    frames: Iterator[np.ndarray],
    out: Path,
    fps: float,
    gif: bool = False,
    mp4: bool = False,
    loop: str = "forward",
    renderer: str = "",
) -> Generator[int, None, RenderResult]:
    """Write the frames and the requested GIF/MP4 into ``out`` (``interp.io.outputs.write_sequence``: its names,
    all-or-nothing), yielding the number of frames written so far; the generator's return value is the
    ``RenderResult``."""
    files = yield from write_sequence(frames, out, fps, gif=gif, mp4=mp4, loop=loop)
    return RenderResult(files.folder, files.frames, files.gif, files.mp4, renderer)


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
