"""Reading videos: probe a file's stream (size, rate, length, audio) and stream its frames one at a time.

Decoding runs the ffmpeg binary of ``imageio-ffmpeg`` behind a pipe, so memory holds one frame at a time whatever the
video's length. Frames come out as ``H x W x 3`` uint8 RGB, in decoding order, as ffmpeg outputs them (a
variable-rate stream comes out at ffmpeg's constant rate, repeated frames included). Every failure is an
``InputError`` with one line that says what is wrong with which file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from interp.errors import InputError
from interp.limits import MAX_FPS

#: Rates written as rounded decimals by ffmpeg that are really NTSC fractions (29.97 is 30000/1001).
NTSC_RATES = (24000 / 1001, 30000 / 1001, 48000 / 1001, 60000 / 1001, 120000 / 1001)
#: Audio codecs an MP4 holds as they are (copied without re-encoding); others are re-encoded to AAC.
MP4_AUDIO_CODECS = ("aac", "mp3", "alac", "ac3", "eac3")

_LOG_PREFIX = re.compile(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*")
_NOT_MEDIA = ("Invalid data found when processing input", "moov atom not found", "End of file")
_NO_VIDEO = ("does not contain any stream", "matches no streams")


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, from its header.

    Attributes:
        path: the file.
        width, height: frame size in pixels (after rotation metadata is applied).
        fps: frames per second (NTSC rates exactly, e.g. 30000/1001).
        duration: seconds (the container's; 0 when unknown).
        frame_count: ``round(duration * fps)``: exact for constant-rate streams, an estimate otherwise.
        codec: the video codec's name, e.g. ``"h264"``.
        audio_codec: the first audio stream's codec (e.g. ``"aac"``), or None when there is no audio.
    """

    path: Path
    width: int
    height: int
    fps: float
    duration: float
    frame_count: int
    codec: str
    audio_codec: str | None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def audio_copyable(self) -> bool:
        """Whether the audio can go into an MP4 as it is (no re-encoding)."""
        return self.audio_codec in MP4_AUDIO_CODECS


def _ffmpeg_reason(message: str) -> str:
    """The most telling line of an ffmpeg log (skipping boilerplate such as 'Conversion failed!')."""
    boring = ("Error opening input file", "Error opening output file", "Conversion failed", "frame=", "Error opening")
    lines = [_LOG_PREFIX.sub("", line).strip() for line in message.splitlines()]
    for line in reversed(lines):
        if line and not line.startswith(boring) and not line.startswith("==="):
            return line.rstrip(".")
    return "no message from ffmpeg"


def _read_error(path: Path, exc: Exception) -> InputError:
    """Turn an imageio-ffmpeg failure into one line about ``path``."""
    text = str(exc)
    if any(marker in text for marker in _NO_VIDEO):
        return InputError(f"{path} has no video frames (no video stream in the file)")
    if any(marker in text for marker in _NOT_MEDIA):
        return InputError(f"cannot read video {path}: not a video or the file is corrupt")
    return InputError(f"cannot read video {path}: {_ffmpeg_reason(text)}")


def _open(path: Path, seek: float = 0.0) -> tuple[Iterator[bytes], dict]:
    """Start decoding ``path`` (from ``seek`` seconds when > 0); return the frame-bytes generator and ffmpeg's
    metadata."""
    if not path.is_file():
        raise InputError(f"no such video file: {path}")
    reader = imageio_ffmpeg.read_frames(str(path), input_params=["-ss", f"{seek:.6f}"] if seek > 0 else None)
    try:
        meta = next(reader)
    except (OSError, RuntimeError, StopIteration) as exc:
        reader.close()
        raise _read_error(path, exc) from None
    return reader, meta


def exact_rate(fps: float) -> float:
    """``fps`` snapped to an NTSC fraction when ffmpeg printed one rounded (29.97 -> 30000/1001), else unchanged."""
    for rate in NTSC_RATES:
        if abs(fps - rate) < 0.006:
            return rate
    return fps


def _info(path: Path, meta: dict) -> VideoInfo:
    width, height = (int(v) for v in meta.get("size", (0, 0)))
    if width <= 0 or height <= 0:
        raise InputError(f"cannot read video {path}: ffmpeg reports no frame size")
    fps = float(meta.get("fps") or 0.0)
    if not np.isfinite(fps) or not 0 < fps <= MAX_FPS:
        raise InputError(f"cannot tell the frame rate of {path} (ffmpeg reports {fps!r} fps)")
    fps = exact_rate(fps)
    duration = float(meta.get("duration") or 0.0)
    audio = meta.get("audio_codec")
    return VideoInfo(
        path=path,
        width=width,
        height=height,
        fps=fps,
        duration=duration,
        frame_count=round(duration * fps),
        codec=str(meta.get("codec", "unknown")),
        audio_codec=str(audio).split()[0] if audio else None,
    )


def probe_video(path: Path | str) -> VideoInfo:
    """Read a video's header; raise ``InputError`` for a missing file, a non-video or a file without video."""
    path = Path(path)
    reader, meta = _open(path)
    reader.close()
    return _info(path, meta)


def iter_frames(path: Path | str, seek: float = 0.0) -> Iterator[np.ndarray]:
    """Yield the frames of a video one at a time: ``H x W x 3`` uint8 RGB (read-only arrays).

    Memory holds one frame; ffmpeg stops when the generator is closed or garbage-collected. A stream that breaks
    off midway raises ``InputError`` naming the frame. ``seek`` > 0 starts at that many seconds from the start
    (ffmpeg's input seek: decoding starts at the keyframe before it, frames before it are dropped; the first frame
    is usually, not always, the one at that time: check it when it matters).
    """
    path = Path(path)
    reader, meta = _open(path, seek)
    with closing(reader):
        info = _info(path, meta)
        index = 0
        while True:
            try:
                chunk = next(reader)
            except StopIteration:
                return
            except (OSError, RuntimeError) as exc:
                raise InputError(f"cannot decode frame {index} of {path}: {_ffmpeg_reason(str(exc))}") from None
            yield np.frombuffer(chunk, dtype=np.uint8).reshape(info.height, info.width, 3)
            index += 1
