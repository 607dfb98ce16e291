"""GIF and MP4 encoding through ffmpeg (imageio-ffmpeg's binary)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from interp.core.images import check_frame
from interp.errors import InputError, InterpError
from interp.io.files import temp_sibling
from interp.limits import MAX_FPS, MAX_GIF_FPS, MIN_FPS

#: How ``FfmpegWriter`` may write an audio track: re-encoded to AAC, or copied as it is.
AUDIO_CODECS = ("aac", "copy")


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (from imageio-ffmpeg, else the system's)."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        found = shutil.which("ffmpeg")
        if found is None:
            raise InterpError("ffmpeg not found; install it with: pip install imageio-ffmpeg") from None
        return found


def check_fps(fps: float) -> float:
    """Validate a frame rate (``MIN_FPS <= fps <= MAX_FPS``)."""
    if not np.isfinite(fps) or not MIN_FPS <= fps <= MAX_FPS:
        raise InputError(f"fps must be in [{MIN_FPS:g}, {MAX_FPS:g}], got {fps!r}")
    return float(fps)


def _even(frame: np.ndarray) -> np.ndarray:
    """Pad odd sizes by repeating the last row/column (yuv420p needs even sizes)."""
    pad_h, pad_w = frame.shape[0] % 2, frame.shape[1] % 2
    if pad_h or pad_w:
        frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    return frame


def _fps_arg(fps: float) -> str:
    return f"{fps:.6f}".rstrip("0").rstrip(".")


@dataclass
class _Encoding:
    """A running ffmpeg process and the temporary file it writes."""

    process: subprocess.Popen[bytes]
    stdin: IO[bytes]
    tmp: Path
    size: tuple[int, int]


class FfmpegWriter:
    """Stream frames into ffmpeg; the output appears at ``path`` only when ``close()`` succeeds.

    Args:
        path: output file; the suffix picks the format (``.mp4`` H.264 yuv420p, ``.gif`` palette GIF, looping).
        fps: frame rate, ``MIN_FPS`` to ``MAX_FPS`` (a GIF plays at most ``MAX_GIF_FPS``: faster ones drop frames).
        crf: H.264 quality (lower is better, 18 is visually lossless).
        audio_from: copy the audio stream of this media file into an MP4 (optional).
        audio_codec: how that audio is written: ``"aac"`` (re-encoded, works for any input) or ``"copy"`` (as is;
            only for codecs MP4 holds, such as AAC or MP3).
    """

    def __init__(
        self,
        path: Path | str,
        fps: float,
        crf: int = 18,
        audio_from: Path | str | None = None,
        audio_codec: str = "aac",
    ) -> None:
        self.path = Path(path)
        self.fps = check_fps(fps)
        self.crf = crf
        self.audio_from = audio_from
        if audio_codec not in AUDIO_CODECS:
            raise InputError(f"audio_codec must be one of {', '.join(AUDIO_CODECS)}, got {audio_codec!r}")
        self.audio_codec = audio_codec
        self.count = 0
        self._encoding: _Encoding | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (ffmpeg's stderr; closed in close/abort)
        self._finished = False  # close() succeeded

    def _output_args(self) -> list[str]:
        if self.path.suffix.lower() == ".gif":
            palette = "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=sierra2_4a"
            rate = ["-r", _fps_arg(MAX_GIF_FPS)] if self.fps > MAX_GIF_FPS else []  # see MAX_GIF_FPS
            return ["-vf", palette, *rate, "-loop", "0", "-f", "gif"]
        audio = []
        if self.audio_from is not None:
            audio = ["-i", str(self.audio_from), "-map", "0:v:0", "-map", "1:a:0?"]
            audio += ["-c:a", self.audio_codec, "-shortest"]
        video = ["-c:v", "libx264", "-preset", "medium", "-crf", str(self.crf), "-pix_fmt", "yuv420p"]
        return [*audio, *video, "-movflags", "+faststart", "-f", "mp4"]

    def _start(self, height: int, width: int) -> _Encoding:
        tmp = temp_sibling(self.path)
        size = ["-s", f"{width}x{height}", "-r", _fps_arg(self.fps)]
        command = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                   *size, "-i", "-", *self._output_args(), str(tmp)]  # fmt: skip
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)
        if process.stdin is None:  # pragma: no cover - Popen always opens the pipe it was asked for
            raise InterpError("could not open a pipe to ffmpeg")
        return _Encoding(process, process.stdin, tmp, (height, width))

    def write(self, frame: np.ndarray) -> None:
        """Append one ``H x W x 3`` uint8 frame (all frames must share one size)."""
        frame = _even(check_frame(frame))
        if self._encoding is None:
            self._encoding = self._start(frame.shape[0], frame.shape[1])
        encoding = self._encoding
        if frame.shape[:2] != encoding.size:
            self.abort()
            raise InputError(
                f"frame {self.count} is {frame.shape[1]}x{frame.shape[0]}, earlier frames were "
                f"{encoding.size[1]}x{encoding.size[0]}"
            )
        try:
            encoding.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError:
            self._fail()
        self.count += 1

    def _error_text(self) -> str:
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no message"

    def _fail(self) -> None:
        message = self._error_text()
        self.abort()
        raise InterpError(f"ffmpeg failed writing {self.path}: {message}")

    def finishing(self, poll_s: float = 0.5) -> Iterator[None]:
        """``close`` in steps: yields every ``poll_s`` seconds while ffmpeg still encodes (a GIF's palette pass took
        28 s for 30 frames of 1280x720 on a busy 2-core machine), so that a caller that stops iterating (a cancelled
        render) can ``abort`` instead of waiting."""
        encoding = self._encoding
        if encoding is not None:
            encoding.stdin.close()
            while True:
                try:
                    encoding.process.wait(timeout=poll_s)
                    break
                except subprocess.TimeoutExpired:
                    yield
        self.close()

    def close(self) -> Path:
        """Finish the file and move it into place; raise if no frame was written or ffmpeg failed. A writer
        already closed returns its path."""
        encoding = self._encoding
        if encoding is None:
            if self._finished:
                return self.path
            self.abort()
            raise InputError(f"no frames to write to {self.path}")
        encoding.stdin.close()
        if encoding.process.wait() != 0:
            self._fail()
        os.replace(encoding.tmp, self.path)
        self._encoding = None
        self._finished = True
        self._log.close()
        return self.path

    def abort(self) -> None:
        """Stop ffmpeg and delete the partial output."""
        encoding, self._encoding = self._encoding, None
        if encoding is not None:
            if not encoding.stdin.closed:
                with suppress(BrokenPipeError):
                    encoding.stdin.close()
            encoding.process.kill()
            encoding.process.wait()
            encoding.tmp.unlink(missing_ok=True)
        self._log.close()

    def __enter__(self) -> FfmpegWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
