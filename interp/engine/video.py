"""Video interpolation that streams: decode, interpolate and encode one frame at a time, cut- and repeat-aware.

Timing. Input frame ``i`` shows from ``i / fps`` for ``1 / fps`` seconds. ``--num N1 N2 …`` multiplies the frame rate
by ``factor = prod(N_i + 1)``: every input interval is split into ``factor`` output intervals, the in-between frames
rendered at the uniform times ``k / factor`` of the pair (the same grid as ``interp.engine.sequence``). The last
input frame is held for its own ``factor`` slots, so ``n`` input frames give exactly ``n * factor`` output frames
and, at the default rate ``fps * factor``, exactly the input's duration (audio stays in sync).

Scene cuts. Where a frame starts a new shot (``interp.engine.scenes``) nothing is blended: the in-between slots
repeat the frame before the cut.

Repeated frames. A frame that repeats the one before it (a held or padded frame) is dropped before interpolation and
its slot is filled by interpolating across the gap: frames ``A A B`` become ``A`` then ``2 * factor - 1`` frames
rendered at ``k / (2 * factor)`` of the pair ``(A, B)`` then ``B``, so motion is smooth and the duration unchanged.
Repeats at the end hold the last frame. With ``keep_duplicates`` a repeat is an ordinary frame: its in-between slots
repeat it (the network would only redraw the same picture).

Every decoded frame is encoded by the network at most once and only when a pair that needs it is rendered; memory
holds two input frames, their encodings and one batch of output frames, whatever the video's length.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

import numpy as np

from interp.core.images import to_uint8
from interp.core.progress import Progress
from interp.engine.interpolator import EncodedFrame, Interpolator
from interp.engine.scenes import (
    DEFAULT_SCENE_THRESHOLD,
    DUPLICATE_TOLERANCE,
    FrameSignature,
    Transition,
    check_duplicate_tolerance,
    check_scene_threshold,
    classify,
    frame_signature,
)
from interp.engine.sequence import check_nums
from interp.errors import InputError
from interp.io.decode import VideoInfo, iter_frames, probe_video
from interp.io.encode import FfmpegWriter
from interp.limits import MAX_FPS

#: Relative difference below which an output rate counts as keeping the input's duration.
RATE_TOLERANCE = 1e-4


@dataclass(frozen=True)
class VideoOptions:
    """How to interpolate a stream of frames.

    Attributes:
        nums: ``--num`` levels (see ``interp.engine.sequence``); the frame rate is multiplied by ``prod(N_i + 1)``.
        scene_threshold: similarity in [0, 1] below which consecutive frames are a cut (0 turns detection off).
        keep_duplicates: keep repeated frames instead of dropping them and interpolating across the gap.
        duplicate_tolerance: how far (grey levels per 8 x 8 block) a frame may differ and still be a repeat.
        iters: iterations of the reference-based estimation ([R] models only).
    """

    nums: Sequence[int] = (1,)
    scene_threshold: float = DEFAULT_SCENE_THRESHOLD
    keep_duplicates: bool = False
    duplicate_tolerance: float = DUPLICATE_TOLERANCE
    iters: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "nums", tuple(check_nums(self.nums)))
        check_scene_threshold(self.scene_threshold)
        check_duplicate_tolerance(self.duplicate_tolerance)

    @property
    def factor(self) -> int:
        """Output frames per input frame: ``prod(N_i + 1)``."""
        return math.prod(n + 1 for n in self.nums)


@dataclass
class StreamStats:
    """Counts kept while a stream is interpolated (updated as frames go by)."""

    frames_in: int = 0
    duplicates: int = 0
    cuts: int = 0
    encoded: int = 0
    rendered: int = 0
    frames_out: int = 0


@dataclass
class _Anchor:
    """The last frame kept: its pixels, signature, input slot and (once needed) its network encoding."""

    frame: np.ndarray
    signature: FrameSignature | None
    slot: int
    encoded: EncodedFrame | None = None


@dataclass(frozen=True)
class Step:
    """What the output holds from one kept input frame up to the next kept one (the unit a chunk is made of).

    Attributes:
        slot: input index of the kept frame.
        next_slot: input index of the next kept frame, or None for the last kept frame (held to the end).
        span: output frames of this step: the kept frame itself, then ``span - 1`` in-between or held frames.
        render: the in-between frames are rendered from the pair (``slot``, ``next_slot``); else they repeat the frame.
    """

    slot: int
    next_slot: int | None
    span: int
    render: bool


def _encoded(interpolator: Interpolator, anchor: _Anchor, stats: StreamStats) -> EncodedFrame:
    if anchor.encoded is None:
        anchor.encoded = interpolator.encode_frame(anchor.frame)
        stats.encoded += 1
    return anchor.encoded


def interpolate_frames(
    interpolator: Interpolator,
    frames: Iterable[np.ndarray],
    options: VideoOptions,
    stats: StreamStats | None = None,
    source: str = "the video",
) -> Iterator[np.ndarray]:
    """Yield the output frames (``H x W x 3`` uint8 RGB) for a stream of input frames, one at a time.

    See the module docstring for timing, cuts and repeats. ``n`` input frames give ``n * options.factor`` output
    frames. Raises ``InputError`` when the stream holds fewer than two frames (before yielding anything).

    Args:
        interpolator: the loaded network.
        frames: ``H x W x 3`` uint8 RGB frames, all one size (e.g. ``interp.io.decode.iter_frames``).
        options: ``--num``, cut threshold, repeats, iterations.
        stats: filled in as the stream goes (optional).
        source: how error messages name the stream.
    """
    stats = stats if stats is not None else StreamStats()
    for anchor, following, step in iter_steps(frames, options, stats, source):
        yield from _step_frames(interpolator, anchor, following, step, options.iters, stats)


def iter_steps(
    frames: Iterable[np.ndarray],
    options: VideoOptions,
    stats: StreamStats | None = None,
    source: str = "the video",
) -> Iterator[tuple[_Anchor, _Anchor | None, Step]]:
    """Decide, frame by frame, which input frames are kept and what fills the output between them (no network).

    Yields ``(kept frame, next kept frame or None, step)`` as soon as each step is known; the next kept frame of one
    step is the kept frame of the following one (the same object, so its encoding is reused). ``stats`` counts
    frames in, repeats, cuts and frames out. Raises ``InputError`` for a stream of fewer than two frames or of
    frames that change size.
    """
    stats = stats if stats is not None else StreamStats()
    factor = options.factor
    anchor: _Anchor | None = None
    slot = -1
    for slot, frame in enumerate(frames):
        stats.frames_in = slot + 1
        signature = frame_signature(frame)
        if anchor is None:
            anchor = _Anchor(frame, signature, slot)
            continue
        if frame.shape != anchor.frame.shape:
            raise InputError(f"frame {slot} of {source} is {frame.shape}, earlier frames were {anchor.frame.shape}")
        kind = classify(
            anchor.frame, anchor.signature, frame, signature, options.scene_threshold, options.duplicate_tolerance
        )
        if kind is Transition.DUPLICATE:
            stats.duplicates += 1
            if not options.keep_duplicates:
                continue
        if kind is Transition.CUT:
            stats.cuts += 1
        current = _Anchor(frame, signature, slot)
        span = (slot - anchor.slot) * factor
        yield anchor, current, Step(anchor.slot, slot, span, kind is Transition.MOTION and span > 1)
        stats.frames_out += span
        anchor = current
    if anchor is None:
        raise InputError(f"{source} has no video frames")
    if slot == 0:
        raise InputError(f"{source} has only 1 frame; interpolation needs at least 2")
    hold = (slot + 1 - anchor.slot) * factor
    yield anchor, None, Step(anchor.slot, None, hold, False)
    stats.frames_out += hold


def _step_frames(
    interpolator: Interpolator,
    anchor: _Anchor,
    following: _Anchor | None,
    step: Step,
    iters: int,
    stats: StreamStats,
) -> Iterator[np.ndarray]:
    """The ``step.span`` output frames of one step: the kept frame, then rendered or repeated frames."""
    yield anchor.frame
    if step.render and following is not None:
        yield from _render_between(interpolator, anchor, following, step.span - 1, iters, stats)
    else:
        yield from _repeat(anchor.frame, step.span - 1)


def _render_between(
    interpolator: Interpolator, first: _Anchor, second: _Anchor, count: int, iters: int, stats: StreamStats
) -> Iterator[np.ndarray]:
    """``count`` frames at the uniform times ``k / (count + 1)`` between two kept frames (each encoded once)."""
    pair = interpolator.encode_pair(_encoded(interpolator, first, stats), _encoded(interpolator, second, stats))
    times = [k / (count + 1) for k in range(1, count + 1)]
    for rendered in interpolator.iter_render(pair, times, iters=iters):  # one batch of maps in memory at a time
        stats.rendered += 1
        yield to_uint8(rendered)


def _repeat(frame: np.ndarray, count: int) -> Iterator[np.ndarray]:
    for _ in range(count):
        yield frame


# ---------------------------------------------------------------------------------------------------- whole files
@dataclass(frozen=True)
class OutputPlan:
    """Rate, length and audio of an output video, decided before any frame is decoded.

    Attributes:
        fps: output frames per second.
        factor: output frames per input frame.
        frame_count: expected output frames (``input frames * factor``; an estimate for variable-rate input).
        duration: expected output seconds.
        stretch: output duration / input duration (1 keeps it; 2 is half-speed slow motion).
        audio: ``"copy"``, ``"aac"`` (re-encoded) or None (no audio track written).
        notice: a line for the user when audio is dropped because the duration changes (else None).
    """

    fps: float
    factor: int
    frame_count: int
    duration: float
    stretch: float
    audio: str | None
    notice: str | None = None

    @property
    def keeps_duration(self) -> bool:
        return math.isclose(self.stretch, 1.0, rel_tol=RATE_TOLERANCE)


def plan_output(info: VideoInfo, options: VideoOptions, fps: float | None = None, audio: bool = True) -> OutputPlan:
    """Decide the output rate and audio: by default ``info.fps * factor`` (same duration, audio kept); an explicit
    ``fps`` changes the duration by ``info.fps * factor / fps`` (slow motion when larger than 1), and audio, which
    would no longer match, is dropped with a notice."""
    factor = options.factor
    natural = info.fps * factor
    out_fps = natural if fps is None else float(fps)
    if not math.isfinite(out_fps) or not 0 < out_fps <= MAX_FPS:
        hint = "; pass --fps to choose a lower rate (slow motion)" if fps is None else ""
        raise InputError(
            f"output rate must be in (0, {MAX_FPS:g}] fps, got {out_fps:g} "
            f"({info.fps:g} fps x {factor} frames per input frame){hint}"
        )
    stretch = natural / out_fps
    frame_count = info.frame_count * factor
    plan = OutputPlan(out_fps, factor, frame_count, frame_count / out_fps, stretch, None)
    if not (audio and info.has_audio):
        return plan
    if plan.keeps_duration:
        return replace(plan, audio="copy" if info.audio_copyable else "aac")
    kind = "slow motion" if stretch > 1 else "sped up"
    notice = (
        f"note: the output plays {stretch:.3g}x as long as the input ({kind} at {out_fps:g} fps); "
        "its audio would not match, so it is dropped"
    )
    return replace(plan, notice=notice)


@dataclass(frozen=True)
class VideoResult:
    """What ``interpolate_video`` wrote."""

    path: Path
    info: VideoInfo
    plan: OutputPlan
    stats: StreamStats
    seconds: float


def interpolate_video(
    interpolator: Interpolator,
    video: Path | str,
    out: Path | str,
    options: VideoOptions,
    fps: float | None = None,
    audio: bool = True,
    crf: int = 18,
    max_frames: int | None = None,
    progress: Progress | None = None,
    plan: OutputPlan | None = None,
) -> VideoResult:
    """Interpolate a video file into an H.264 MP4, streaming; ``out`` appears only when everything succeeded.

    Args:
        interpolator: the loaded network.
        video: input file (anything ffmpeg decodes).
        out: output ``.mp4``.
        options: ``--num``, cuts, repeats, iterations (see ``VideoOptions``).
        fps: output rate; None keeps the input's duration (``input fps * factor``). See ``plan_output``.
        audio: copy the input's audio when the duration is kept.
        crf: H.264 quality (lower is better).
        max_frames: only the first ``max_frames`` input frames (previews, benchmarks); None for all.
        progress: called with (output frames written, expected total) after each frame; the total is an estimate
            from the header and is raised if the stream turns out longer.
        plan: a plan already made with ``plan_output`` (so a caller can show its notice first; ``fps`` and ``audio``
            are then not used); made here if None.
    """
    started = time.perf_counter()
    info = probe_video(video)
    if max_frames is not None and max_frames < 2:
        raise InputError(f"max_frames must be at least 2, got {max_frames!r}")
    plan = plan if plan is not None else plan_output(info, options, fps, audio)
    expected = plan.frame_count if max_frames is None else min(info.frame_count, max_frames) * plan.factor
    stats = StreamStats()
    writer = FfmpegWriter(
        out, plan.fps, crf=crf, audio_from=info.path if plan.audio else None, audio_codec=plan.audio or "aac"
    )
    with writer, closing(iter_frames(info.path)) as decoded:
        frames = decoded if max_frames is None else islice(decoded, max_frames)
        for count, frame in enumerate(interpolate_frames(interpolator, frames, options, stats, str(info.path)), 1):
            writer.write(frame)
            if progress is not None:
                progress(count, max(expected, count))
    return VideoResult(Path(out), info, plan, stats, time.perf_counter() - started)


def render_steps(
    interpolator: Interpolator,
    kept: Iterable[tuple[int, np.ndarray]],
    steps: Sequence[Step],
    iters: int = 2,
    stats: StreamStats | None = None,
) -> Iterator[np.ndarray]:
    """Yield the output frames of a run of steps decided by ``iter_steps`` (a chunk of a video), one at a time.

    The same rendering as ``interpolate_frames``: ``sum(step.span)`` frames, each kept frame encoded once, at most two
    kept frames in memory.

    Args:
        interpolator: the loaded network.
        kept: ``(input slot, H x W x 3 uint8 RGB frame)`` in slot order: every step's ``slot`` and, for the steps that
            render, their ``next_slot`` (read lazily, as the steps need them).
        steps: consecutive steps of one video.
        iters: iterations of the reference-based estimation ([R] models only).
        stats: counts of frames encoded and rendered (optional).
    """
    stats = stats if stats is not None else StreamStats()
    source = iter(kept)
    anchors: dict[int, _Anchor] = {}

    def anchor_at(slot: int) -> _Anchor:
        while slot not in anchors:
            found = next(source, None)
            if found is None:
                raise InputError(f"frame {slot} is needed to render these steps but the frames ended before it")
            anchors[found[0]] = _Anchor(found[1], None, found[0])
        return anchors[slot]

    for step in steps:
        anchor = anchor_at(step.slot)
        following = anchor_at(step.next_slot) if step.render and step.next_slot is not None else None
        yield from _step_frames(interpolator, anchor, following, step, iters, stats)
        for slot in [slot for slot in anchors if slot <= step.slot]:
            del anchors[slot]  # a kept frame is not needed once its own step is out
