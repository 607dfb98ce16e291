"""Generated clips shared by the video tests (made once per session in a temporary folder)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from interp.io.encode import ffmpeg_exe
from tests.video.clips import scene_frames, with_sine, write_clip

FPS = 10.0


@dataclass(frozen=True)
class Clips:
    """Paths of the generated inputs (10 fps, 96 x 64) and the frames they were written from."""

    folder: Path
    plain: Path  # 4 frames of one moving shot
    plain_frames: list[np.ndarray]
    audio: Path  # the same with a 0.4 s 440 Hz AAC tone
    cut: Path  # 3 frames of one shot, then 3 of another
    cut_frames: list[np.ndarray]
    repeats: Path  # a b b c d e: one exact repeat
    repeats_frames: list[np.ndarray]


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    folder = tmp_path_factory.mktemp("clips")
    plain_frames = scene_frames(0, 6)[:4]
    plain = write_clip(folder / "plain.mp4", plain_frames, FPS)
    cut_frames = scene_frames(1, 6)[:3] + scene_frames(2, 6)[:3]
    shot = scene_frames(3, 5)
    repeats_frames = [shot[0], shot[1], shot[1], shot[2], shot[3], shot[4]]
    return Clips(
        folder=folder,
        plain=plain,
        plain_frames=plain_frames,
        audio=with_sine(plain, folder / "audio.mp4", len(plain_frames) / FPS),
        cut=write_clip(folder / "cut.mp4", cut_frames, FPS),
        cut_frames=cut_frames,
        repeats=write_clip(folder / "repeats.mp4", repeats_frames, FPS),
        repeats_frames=repeats_frames,
    )


def make_bad_input(kind: str, folder: Path, clips: Clips) -> Path:
    """A file that is not a usable video, by kind (see ``BAD_INPUTS`` in the tests)."""
    path = folder / f"{kind}.mp4"
    ffmpeg = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error"]
    if kind == "missing":
        return path
    if kind == "text":
        path.write_text("not a video\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "audio-only":
        path = folder / "audio-only.m4a"
        subprocess.run([*ffmpeg, "-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "aac", str(path)], check=True)
    elif kind == "zero-frames":
        source = ["-f", "lavfi", "-i", "color=size=96x64:rate=10", "-frames:v", "0", "-c:v", "libx264"]
        subprocess.run([*ffmpeg, *source, str(path)], check=True)
    elif kind == "one-frame":
        write_clip(path, clips.plain_frames[:1], FPS)
    elif kind == "garbage-stream":  # a valid header, then random bytes where the frames should be
        data = bytearray(clips.plain.read_bytes())
        start = data.find(b"mdat") + 8
        data[start:] = np.random.default_rng(0).integers(0, 256, len(data) - start, dtype=np.uint8).tobytes()
        path.write_bytes(bytes(data))
    else:
        raise ValueError(f"unknown bad input {kind!r}")
    return path


#: Every kind ``make_bad_input`` makes, with the error it must give (the last one probes fine: it fails to
#: interpolate).
BAD_INPUTS = [
    ("missing", "no such video file"),
    ("text", "not a video or the file is corrupt"),
    ("empty", "not a video or the file is corrupt"),
    ("audio-only", "has no video frames"),
    ("zero-frames", "has no video frames"),
    ("garbage-stream", "cannot read video"),
    ("one-frame", "has only 1 frame; interpolation needs at least 2"),
]
