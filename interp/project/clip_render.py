"""Render a clip project end to end: open the clip, give every object a mask on every frame (its mask folder, or its
mask / clicks on one frame followed by the tracker), retime, and write the frames and animations.

The CLI (``python -m interp render`` on a version-2 project) calls ``render_clip_request`` through
``interp.project.requests``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from interp.clip.frames import FRAME_SUFFIXES, ClipFrames, ScaledView, open_clip
from interp.clip.retime import Retimer, Timing, clip_timings
from interp.clip.store import MaskStore
from interp.clip.tracker import track
from interp.core.images import resize_mask
from interp.core.progress import Progress, drain
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.io.decode import probe_video
from interp.io.images import read_image
from interp.io.outputs import write_sequence
from interp.limits import MAX_ORIGINAL_SIDE
from interp.project.clip_schema import ClipObject, ClipProject, output_fps
from interp.project.inputs import object_mask
from interp.project.schema import SegmentFn, field_error

#: Keyframes of the identity curve: the clip as it plays.
IDENTITY = ((0.0, 0.0), (1.0, 1.0))


@dataclass
class ClipStats:
    """What a clip render did: how many output pixels were invented (background no clip frame shows), the network
    passes, and notices for the user."""

    pixels: int = 0
    invented: int = 0
    network_passes: int = 0
    notices: list[str] = field(default_factory=list)

    @property
    def invented_share(self) -> float:
        return self.invented / self.pixels if self.pixels else 0.0


def mask_folder(project: ClipProject, obj: ClipObject, where: str, count: int) -> list[Path]:
    """The ``count`` mask files of an object given by a folder (sorted by name), checked against the clip."""
    folder = project.path(obj.masks or "", f"{where}.masks")
    if not folder.is_dir():
        raise field_error(f"{where}.masks", f"no such folder: {folder}")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FRAME_SUFFIXES)
    if len(files) != count:
        raise field_error(f"{where}.masks", f"holds {len(files)} masks, the clip has {count} frames (one each)")
    return files


def fill_masks(
    project: ClipProject,
    clip: ClipFrames,
    original: tuple[int, int],
    store: MaskStore,
    segment: SegmentFn | None,
    progress: Progress | None = None,
) -> None:
    """Every object's mask on every clip frame into ``store`` (at the clip's render size ``clip.info``).

    ``original``: ``(width, height)`` of the clip's own frames, the size masks and clicks in the project refer to.
    ``progress(done, total)`` counts object-frames.
    """
    count = len(clip)
    total = count * len(project.objects)
    done = 0
    for index, obj in enumerate(project.objects):  # every reference checked before any work
        where = f"objects[{index}]"
        if obj.masks is not None:
            mask_folder(project, obj, where, count)
        elif obj.frame >= count:
            raise field_error(f"{where}.frame", f"frame {obj.frame} is outside the clip (frames 0 to {count - 1})")
    height, width = clip.info.height, clip.info.width
    for index, obj in enumerate(project.objects):
        where = f"objects[{index}]"
        if obj.masks is not None:
            for frame, path in enumerate(mask_folder(project, obj, where, count)):
                mask = read_image(path).max(axis=2) > 0
                if (mask.shape[1], mask.shape[0]) != original:
                    raise field_error(
                        f"{where}.masks",
                        f"{path.name} is {mask.shape[1]}x{mask.shape[0]}, the clip is {original[0]}x{original[1]}",
                    )
                store.put(index, frame, resize_mask(mask, height, width))
                done += 1
                if progress is not None:
                    progress(done, total)
            continue
        neighbour = obj.frame + 1 if obj.frame + 1 < count else max(obj.frame - 1, 0)
        images = (clip.full(obj.frame), clip.full(neighbour))
        steps = object_mask(obj.spec, where, project.base_dir, original, images, segment)
        given = drain(steps)
        for frame, mask in track(ScaledView(clip), {obj.frame: given}):
            store.put(index, frame, mask)
            done += 1
            if progress is not None:
                progress(done, total)


def audio_plan(
    project: ClipProject, clip_path: Path, num_output: int, fps: float, num_frames: int
) -> tuple[str | None, str | None]:
    """``(audio codec, notice)``: the clip's audio is kept (``"copy"`` or ``"aac"``) where the background plays the
    clip as it is and the output lasts as long; else it is dropped with a notice (None, None: no audio to keep)."""
    if clip_path.is_dir():
        return None, None
    info = probe_video(clip_path)
    if not info.has_audio:
        return None, None
    same_speed = project.background.keyframes == IDENTITY
    clip_seconds = num_frames / info.fps if info.fps else math.nan
    if same_speed and math.isclose(num_output / fps, clip_seconds, rel_tol=0.01):
        return ("copy" if info.audio_copyable else "aac"), None
    return None, (
        "note: the clip's audio is dropped: the background's curve or the output's length changes its timing "
        "(audio is kept when the background plays the clip as it is, for as long)"
    )


@dataclass(frozen=True)
class ClipJob:
    """An opened clip project ready to render: ``timings`` of every output frame and the ``retimer``."""

    project: ClipProject
    clip: ClipFrames
    store: MaskStore
    retimer: Retimer
    timings: list[Timing]
    fps: float
    audio: str | None
    stats: ClipStats


def frames(job: ClipJob, progress: Progress | None = None) -> Iterator[np.ndarray]:
    """The output frames (``H x W x 3`` uint8 RGB) in order; counts invented pixels into ``job.stats``."""
    for retimed in job.retimer.render_all(job.timings, progress):
        job.stats.pixels += retimed.invented.size
        job.stats.invented += int(retimed.invented.sum())
        job.stats.network_passes = job.retimer.network_passes
        yield retimed.image


@dataclass(frozen=True)
class ClipMasks:
    """An opened clip at its render size (``clip.full(i)``: ``H x W x 3`` uint8) and every object's mask on every
    frame (``store``); ``path`` is the clip's file or folder."""

    path: Path
    clip: ClipFrames
    store: MaskStore


def open_masks(
    project: ClipProject, stack: ExitStack, segment: SegmentFn | None = None, progress: Progress | None = None
) -> ClipMasks:
    """Open the clip (a video is decoded once into a temporary file, closed with ``stack``) and fill every object's
    masks (``progress`` counts the decode, then object-frames)."""
    path = project.path(project.video, "video")
    if not path.exists():
        raise field_error("video", f"no such clip: {path} (a video file or a folder of frames)")
    clip = stack.enter_context(open_clip(path, MAX_ORIGINAL_SIDE, progress))
    if len(clip) < 2:
        raise field_error("video", f"the clip {path} has {len(clip)} frame; retiming needs at least 2")
    original = (clip.info.width, clip.info.height)
    render_h, render_w = clip.shape
    rendered = ScaledView(clip, max(render_h, render_w))
    store = stack.enter_context(MaskStore(max(1, len(project.objects)), len(clip), render_h, render_w))
    fill_masks(project, rendered, original, store, segment, progress)
    return ClipMasks(path, rendered, store)


def open_job(
    project: ClipProject,
    interpolator: Interpolator,
    stack: ExitStack,
    segment: SegmentFn | None = None,
    progress: Progress | None = None,
) -> ClipJob:
    """``open_masks``, then plan the output: its timings, rate and audio, and the retimer."""
    opened = open_masks(project, stack, segment, progress)
    count = len(opened.clip)
    num_output = project.num_frames or count
    fps = output_fps(project, opened.clip.info.fps)
    audio, notice = audio_plan(project, opened.path, num_output, fps, count)
    stats = ClipStats(notices=[notice] if notice else [])
    retimer = Retimer(interpolator, opened.clip.full, opened.store, count, project.iters)
    curves = [obj.spec.curve for obj in project.objects]
    timings = clip_timings(project.background, curves, num_output, count)
    return ClipJob(project, opened.clip, opened.store, retimer, timings, fps, audio, stats)


def render_clip(
    project: ClipProject,
    interpolator: Interpolator,
    out: Path,
    gif: bool = False,
    mp4: bool = False,
    segment: SegmentFn | None = None,
    progress: Progress | None = None,
) -> str:
    """Render ``project`` into ``out`` (``frame_0000.png``…, ``interp.gif`` / ``interp.mp4`` on request; all or
    nothing) and return the line that describes it."""
    started = time.perf_counter()
    with ExitStack() as stack:
        job = open_job(project, interpolator, stack, segment, progress)
        clip_path = project.path(project.video, "video")
        steps = write_sequence(
            frames(job, progress),
            out,
            job.fps,
            gif=gif,
            mp4=mp4,
            audio_from=clip_path if job.audio else None,
            audio_codec=job.audio or "aac",
        )
        written = drain(steps)
    stats = job.stats
    extras = "".join(f", {p.name}" for p in (written.gif, written.mp4) if p is not None)
    audio = ", with the clip's audio" if job.audio and mp4 else ""
    line = (
        f"wrote {len(written.frames)} frames{extras}{audio} to {out}: {len(project.objects)} objects retimed over "
        f"{len(job.clip)} clip frames with {project.model} in {time.perf_counter() - started:.1f} s; "
        f"{100 * stats.invented_share:.2f} % of the output's pixels invented (background no frame shows)"
    )
    return "\n".join([line, *stats.notices])


def check_clip_project(project: ClipProject) -> None:
    """Refuse what cannot be rendered before anything is read: a clip project without objects is plain retiming."""
    if not project.objects and project.background.keyframes == IDENTITY and project.num_frames is None:
        raise InputError("the clip project has no objects and plays the clip as it is: there is nothing to render")
