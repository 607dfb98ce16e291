"""Tiny generated test clips: synthetic moving scenes written with the project's own encoder, read back with
imageio-ffmpeg directly (independently of ``interp.io.decode``)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from interp.io.encode import FfmpegWriter, ffmpeg_exe
from interp.testing.synthetic import make_scene

HEIGHT, WIDTH = 64, 96


def scene_frames(seed: int, count: int, motion: float = 40.0) -> list[np.ndarray]:
    """``count`` frames of one synthetic shot (objects move up to ``motion`` px over the shot), ``H x W x 3`` uint8."""
    scene = make_scene(seed, HEIGHT, WIDTH, max_motion=motion, background_motion=(12.0, 4.0))
    return [scene.frame(k / count) for k in range(count)]


def write_clip(path: Path, frames: Sequence[np.ndarray], fps: float = 10.0) -> Path:
    """Write frames as H.264 at CRF 0 (lossless after the yuv420p conversion, so repeats stay exact repeats)."""
    with FfmpegWriter(path, fps, crf=0) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def with_sine(video: Path, out: Path, seconds: float) -> Path:
    """Copy ``video`` with a 440 Hz AAC tone of ``seconds`` added."""
    command = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-i", str(video), "-f", "lavfi",
               "-i", f"sine=frequency=440:duration={seconds}", "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
               "-c:a", "aac", "-shortest", str(out)]  # fmt: skip
    subprocess.run(command, check=True)
    return out


def decode(path: Path) -> tuple[dict, list[np.ndarray]]:
    """imageio-ffmpeg's metadata and every frame as ``H x W x 3`` uint8."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(chunk, np.uint8).reshape(height, width, 3) for chunk in reader]
    return meta, frames


def video_seconds(path: Path) -> float:
    """Duration of the video stream alone (frames decoded), in seconds."""
    return float(imageio_ffmpeg.count_frames_and_secs(str(path))[1])


def mean_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference in grey levels."""
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())
