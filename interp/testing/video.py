"""Writing a test clip from frames."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from interp.io.encode import FfmpegWriter


def write_video(
    path: Path | str, frames: Iterable[np.ndarray], fps: float, audio_from: Path | str | None = None
) -> Path:
    """Write frames as a GIF or MP4 (by suffix), atomically."""
    with FfmpegWriter(path, fps, audio_from=audio_from) as writer:
        for frame in frames:
            writer.write(frame)
    return Path(path)
