"""Media I/O: images in and out, PNG sequences, GIF and H.264 MP4, all written atomically.

Frames are ``H x W x 3`` ``uint8`` RGB. Encoders run the ffmpeg binary that ships in the ``imageio-ffmpeg`` wheel
as an argument list (never a shell string); every output is written to a temporary name and renamed on success, so a
failure leaves no half-written file.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from interp.errors import InputError, InterpError
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


def read_image(path: Path | str) -> np.ndarray:
    """Read an image file as ``H x W x 3`` uint8 RGB (EXIF orientation applied, alpha dropped)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such image file: {path}")
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            if image.mode in ("I;16", "I;16B", "I", "F"):
                array = np.asarray(image, dtype=np.float64)
                image = Image.fromarray(np.clip(array / max(array.max(), 1.0) * 255.0, 0, 255).astype(np.uint8))
            return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"cannot read image {path}: not an image or the file is corrupt ({exc})") from exc


def read_uploaded_image(path: Path | str, what: str) -> np.ndarray:
    """Read an image that arrived over the web, as ``read_image`` does; errors name ``what`` (``"frame 1"``).

    The message never shows the server's temporary path: ``"frame 1 is not a readable image: the file is empty"``.
    """
    path = Path(path)
    try:
        return read_image(path)
    except InputError as exc:
        cause = exc.__cause__
        if not path.is_file() or path.stat().st_size == 0:
            reason = "the file is empty" if path.is_file() else "nothing was uploaded"
        elif isinstance(cause, UnidentifiedImageError) or cause is None:
            reason = "it is not an image in a format this app reads (PNG, JPEG, WebP, BMP, TIFF, GIF)"
        else:
            reason = str(cause).replace(str(path), "the file").replace(path.name, "the file")
        raise InputError(f"{what} is not a readable image: {reason}") from None


def check_frame(frame: np.ndarray) -> np.ndarray:
    """Validate an ``H x W x 3`` uint8 frame."""
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise InputError(f"a frame must be H x W x 3 uint8, got {frame.dtype} {frame.shape}")
    return frame


def check_fps(fps: float) -> float:
    """Validate a frame rate (``MIN_FPS <= fps <= MAX_FPS``)."""
    if not np.isfinite(fps) or not MIN_FPS <= fps <= MAX_FPS:
        raise InputError(f"fps must be in [{MIN_FPS:g}, {MAX_FPS:g}], got {fps!r}")
    return float(fps)


def temp_sibling(target: Path) -> Path:
    """Create an empty hidden temporary file next to ``target`` (same suffix, normal permissions); return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        candidate = target.parent / f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}"
        try:
            with candidate.open("xb"):
                return candidate
        except FileExistsError:
            continue
    raise InterpError(f"could not create a temporary file next to {target}")


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it to ``target`` when the block succeeds, else delete it."""
    target = Path(target)
    tmp_path = temp_sibling(target)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_image(path: Path | str, frame: np.ndarray) -> Path:
    """Write one frame (format from the suffix), atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        Image.fromarray(check_frame(frame)).save(tmp, format=Image.registered_extensions().get(path.suffix.lower()))
    return path


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

    def close(self) -> Path:
        """Finish the file and move it into place; raise if no frame was written or ffmpeg failed."""
        encoding = self._encoding
        if encoding is None:
            self.abort()
            raise InputError(f"no frames to write to {self.path}")
        encoding.stdin.close()
        if encoding.process.wait() != 0:
            self._fail()
        os.replace(encoding.tmp, self.path)
        self._encoding = None
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


def write_video(
    path: Path | str, frames: Iterable[np.ndarray], fps: float, audio_from: Path | str | None = None
) -> Path:
    """Write frames as a GIF or MP4 (by suffix), atomically."""
    with FfmpegWriter(path, fps, audio_from=audio_from) as writer:
        for frame in frames:
            writer.write(frame)
    return Path(path)


@contextmanager
def atomic_folder(target: Path | str, owned: Sequence[str] = ()) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``target`` (created then), else delete it all.

    ``owned``: glob patterns of the files this kind of output writes (``frame_*.png``, ``interp.gif``…). On success,
    files in ``target`` that match them and were not written this time are removed first, so a folder written again
    (``--force``) never mixes this run's frames with the extra frames of an earlier, longer one. Other files stay.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        yield staging
        target.mkdir(exist_ok=True)
        written = {item.name for item in staging.iterdir()}
        for pattern in owned:
            for stale in target.glob(pattern):
                if stale.is_file() and stale.name not in written:
                    stale.unlink()
        for item in sorted(staging.iterdir()):
            os.replace(item, target / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
