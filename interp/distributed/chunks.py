"""A video cut into chunks: decided on the driver, rendered anywhere, joined into one MP4 (no Ray in here).

The driver reads the video once with ``interp.engine.video.iter_steps``, the same decisions as the local path (which
frames are kept, where the cuts are, what fills each gap), and groups the steps into chunks: a chunk ends at a scene
cut once it holds half of ``chunk_frames`` input frames, or at ``chunk_frames``. Chunks overlap by their boundary
frame (the last step of a chunk renders from its own kept frame to the first kept frame of the next), so a chunk
boundary never changes which frames are interpolated from which pair. Each chunk carries a fingerprint of every kept
frame it needs: a worker decodes the input itself (seeking near its start), checks each frame against its fingerprint
and renders with ``interp.engine.video.render_steps``; its output frames go into a lossless segment (FFV1, exact RGB).
The driver decodes the segments in order and encodes them with the local path's own ``interp.io.encode.FfmpegWriter``
(H.264 and the input's audio), so the output is the very file the local path writes, one frame in memory at a time.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from interp.engine.interpolator import Interpolator
from interp.engine.video import OutputPlan, Step, StreamStats, VideoOptions, iter_steps, render_steps
from interp.errors import InputError, InterpError
from interp.io.decode import VideoInfo, iter_frames
from interp.io.encode import FfmpegWriter, ffmpeg_exe
from interp.io.files import temp_sibling

#: Input frames per chunk by default: tens of seconds of work for a 1080p frame on a GPU, minutes on a CPU.
DEFAULT_CHUNK_FRAMES = 100
#: A worker seeks this many frames before its first frame and finds it by its fingerprint.
SEEK_MARGIN = 3


def fingerprint(frame: np.ndarray) -> bytes:
    """A 16-byte digest of a frame's pixels (a worker checks it decoded the very frame the driver saw)."""
    return hashlib.blake2b(np.ascontiguousarray(frame).data, digest_size=16).digest()


@dataclass(frozen=True)
class ChunkSpec:
    """One chunk of a video: what a worker needs to render its output frames.

    Attributes:
        index: position of the chunk in the video (0, 1, …).
        steps: consecutive steps decided by the driver (see ``interp.engine.video.Step``).
        fingerprints: input slot -> fingerprint of every kept frame the steps need (boundary frame included).
        first_output: index of the chunk's first output frame in the whole output.
    """

    index: int
    steps: tuple[Step, ...]
    fingerprints: dict[int, bytes]
    first_output: int

    @property
    def frame_count(self) -> int:
        """Output frames of the chunk."""
        return sum(step.span for step in self.steps)

    @property
    def input_range(self) -> tuple[int, int]:
        """First and last input slot the chunk reads."""
        return min(self.fingerprints), max(self.fingerprints)


def check_chunk_frames(chunk_frames: int) -> int:
    """Validate ``--chunk-frames`` (at least 2 input frames per chunk)."""
    if chunk_frames < 2:
        raise InputError(f"--chunk-frames must be at least 2, got {chunk_frames!r}")
    return chunk_frames


def plan_chunks(
    frames: Iterable[np.ndarray],
    options: VideoOptions,
    chunk_frames: int = DEFAULT_CHUNK_FRAMES,
    stats: StreamStats | None = None,
    source: str = "the video",
) -> Iterator[ChunkSpec]:
    """Group the steps of a stream into chunks, yielding each as soon as it is closed (the stream is read lazily, so
    a caller that stops asking holds the decoding back: back pressure).

    Args:
        frames: the input frames (``interp.io.decode.iter_frames``).
        options: as for the local path.
        chunk_frames: input frames per chunk at most; a chunk ends early at a scene cut once it holds half of this.
        stats: filled as for the local path (frames in, repeats, cuts, frames out).
        source: how error messages name the stream.
    """
    check_chunk_frames(chunk_frames)
    steps: list[Step] = []
    prints: dict[int, bytes] = {}
    index = first_output = 0
    for anchor, following, step in iter_steps(frames, options, stats, source):
        steps.append(step)
        prints[step.slot] = fingerprint(anchor.frame)
        read = (step.next_slot if step.next_slot is not None else step.slot) - steps[0].slot
        cut = following is not None and not step.render and read >= chunk_frames // 2
        if following is not None and (read >= chunk_frames or cut):
            if step.render:
                prints[following.slot] = fingerprint(following.frame)  # the boundary frame, read by both chunks
            chunk = ChunkSpec(index, tuple(steps), prints, first_output)
            yield chunk
            index, first_output, steps, prints = index + 1, first_output + chunk.frame_count, [], {}
    if steps:
        yield ChunkSpec(index, tuple(steps), prints, first_output)


class FrameMismatchError(InterpError):
    """A decoded frame is not the one the driver saw (a seek landed elsewhere, or the input changed)."""


def _seek_point(first: int, fps: float) -> tuple[float, int]:
    """Where to seek for input slot ``first``: (seconds, slot decoding is expected to start at)."""
    start = max(0, first - SEEK_MARGIN)
    return start / fps, start


def kept_frames(
    path: Path, fps: float, fingerprints: dict[int, bytes], seek: bool = True
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(slot, frame)`` for the slots of ``fingerprints`` in order, each checked against its fingerprint.

    With ``seek``, decoding starts a few frames before the first slot and the first slot is found by its
    fingerprint; without, decoding starts at frame 0 and slots are counted as the driver counted them. Raises
    ``FrameMismatchError`` when a frame differs from the driver's, ``InputError`` when the input cannot be read.
    """
    first, last = min(fingerprints), max(fingerprints)
    seconds, start = _seek_point(first, fps) if seek else (0.0, 0)
    decoded = iter_frames(path, seek=seconds)
    slot: int | None = None if start > 0 else 0
    for position, frame in enumerate(decoded):
        if slot is None:  # looking for the first slot (it may be a little before or after where the seek landed)
            if fingerprint(frame) != fingerprints[first]:
                if position > 2 * SEEK_MARGIN:
                    raise FrameMismatchError(f"frame {first} not found after seeking to {seconds:.3f} s")
                continue
            slot = first
        if slot in fingerprints:
            if fingerprint(frame) != fingerprints[slot]:
                raise FrameMismatchError(f"frame {slot} of {path} differs from the one the driver read")
            yield slot, frame
        if slot == last:
            return
        slot += 1
    raise FrameMismatchError(f"{path} ended before frame {last}")


def write_lossless(frames: Iterable[np.ndarray], path: Path, fps: float) -> int:
    """Write ``H x W x 3`` uint8 RGB frames losslessly (FFV1 in Matroska: decoding gives the same bytes back);
    return how many. ``path`` appears only when ffmpeg succeeded."""
    process: subprocess.Popen[bytes] | None = None
    count = 0
    tmp = temp_sibling(path)
    try:
        for frame in frames:
            if process is None:
                height, width = frame.shape[:2]
                command = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt",
                           "rgb24", "-s", f"{width}x{height}", "-r", f"{fps:.6f}", "-i", "-", "-c:v", "ffv1",
                           "-pix_fmt", "bgr0", "-f", "matroska", str(tmp)]  # fmt: skip
                process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
            process.stdin.write(np.ascontiguousarray(frame).tobytes())  # type: ignore[union-attr]
            count += 1
        if process is None:
            raise InterpError(f"no frames for {path}")
        _, error = process.communicate()
        if process.returncode != 0:
            raise InterpError(f"ffmpeg failed writing {path}: {error.decode(errors='replace').strip()[-200:]}")
        tmp.replace(path)
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        tmp.unlink(missing_ok=True)
    return count


def write_chunk(
    interpolator: Interpolator, path: Path, info: VideoInfo, chunk: ChunkSpec, iters: int, segment: Path,
    seek: bool = True,
) -> StreamStats:  # fmt: skip
    """Render a chunk's output frames into the lossless ``segment``; return the counts of frames encoded and
    rendered."""
    stats = StreamStats()
    frames = kept_frames(path, info.fps, chunk.fingerprints, seek)
    count = write_lossless(render_steps(interpolator, frames, chunk.steps, iters, stats), segment, info.fps)
    if count != chunk.frame_count:
        raise InterpError(f"chunk {chunk.index} gave {count} frames, expected {chunk.frame_count}")
    return stats


def render_chunk_bytes(
    interpolator: Interpolator, path: Path, info: VideoInfo, chunk: ChunkSpec, iters: int
) -> tuple[bytes, StreamStats]:
    """A chunk's lossless segment as bytes (written in a temporary folder, removed after); seeks near the chunk's
    start, and decodes from the start of the file instead when the seek did not land on the driver's frames."""
    folder = Path(tempfile.mkdtemp(prefix="interp-chunk-"))
    try:
        segment = folder / f"{chunk.index:06d}.mkv"
        try:
            stats = write_chunk(interpolator, path, info, chunk, iters, segment)
        except FrameMismatchError:
            stats = write_chunk(interpolator, path, info, chunk, iters, segment, seek=False)
        return segment.read_bytes(), stats
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class SegmentJoiner:
    """Joins segments that arrive in any order into one MP4, as the local path writes it.

    Segments wait in a hidden folder next to the output until every earlier one has arrived; then their frames go,
    in order, into one ``FfmpegWriter`` (H.264, the input's audio) and the segment is deleted. Use as a context
    manager: ``out`` appears only when the block ends without error after every chunk was joined; the folder is
    removed in every case.
    """

    out: Path
    info: VideoInfo
    plan: OutputPlan
    crf: int = 18
    folder: Path = field(init=False)
    joined: int = 0
    frames: int = 0
    arrived: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.stem}.", suffix=".parts", dir=self.out.parent))
        audio = self.info.path if self.plan.audio else None
        self.writer = FfmpegWriter(self.out, self.plan.fps, self.crf, audio, self.plan.audio or "aac")

    def _segment(self, index: int) -> Path:
        return self.folder / f"{index:06d}.mkv"

    def put(self, index: int, data: bytes) -> None:
        """Store chunk ``index``'s segment (each index once) and join every segment now in order."""
        if index in self.arrived:
            raise InterpError(f"chunk {index} arrived twice")
        self._segment(index).write_bytes(data)
        self.arrived.add(index)
        while self.joined in self.arrived:
            segment = self._segment(self.joined)
            for frame in iter_frames(segment):
                self.writer.write(frame)
                self.frames += 1
            segment.unlink()
            self.joined += 1

    def finish(self, count: int) -> None:
        """Close the output once chunks ``0 … count - 1`` are all joined."""
        if self.joined != count:
            missing = sorted(set(range(count)) - self.arrived)
            raise InterpError(f"chunks {missing} are missing")
        self.writer.close()

    def __enter__(self) -> SegmentJoiner:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        self.writer.abort()  # nothing once closed; else ffmpeg stops and the partial output goes
        shutil.rmtree(self.folder, ignore_errors=True)
