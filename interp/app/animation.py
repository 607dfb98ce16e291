"""The live preview that plays: a short looping GIF of the current edit at preview size, built progressively.

Its frames come from ``interp.app.preview.preview_frame`` and so from the session's ``PreviewCache``: the still
preview and the animation share every frame they both show. A few frames come first (``LEVELS``: 3, then 5, 9 and
17, each level reusing the frames of the one before), so something plays within a second or two of an edit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from interp.app.preview import ModelPool, PreviewCache, preview_frame
from interp.app.session import Session
from interp.errors import InputError

#: Frames per level of the progressive animation; each level's times contain the previous level's.
LEVELS: tuple[int, ...] = (3, 5, 9, 17)
#: How long one pass from t = 0 to t = 1 takes, whatever the number of frames (seconds).
PASS_SECONDS = 1.6
#: How long the first and the last frame are held, so the loop's jump back to t = 0 reads as a restart (seconds).
HOLD_SECONDS = 0.4
PREFIX = "animation-"
#: Earlier animations' GIFs kept when a new animation starts: the page may still be fetching the last one shown (a
#: GIF removed before the browser had it showed as a broken image until the next one came).
KEEP_EARLIER = 2


def edit_signature(session: Session, model: str, renderer: str | None) -> tuple:
    """What an animation shows: frames and masks (``version``), every curve, the model and the renderer."""
    return (session.version, tuple(o.curve for o in session.objects), session.background, model, renderer)


def frame_durations(count: int) -> list[int]:
    """Milliseconds per frame of a ``count``-frame pass (GIF delays are whole hundredths of a second)."""
    if count < 2:
        raise InputError(f"an animation needs at least 2 frames, got {count!r}")
    step = max(20, round(PASS_SECONDS * 100 / (count - 1)) * 10)
    hold = round(HOLD_SECONDS * 100) * 10
    return [hold, *[step] * (count - 2), hold]


def write_gif(frames: list[np.ndarray], path: Path) -> Path:
    """Write ``H x W x 3`` uint8 frames as a looping GIF at ``path``."""
    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=frame_durations(len(frames)), loop=0)
    return path


def remove_earlier_gifs(folder: Path, keep: int = KEEP_EARLIER) -> None:
    """Remove the animations' GIFs in ``folder`` but the ``keep`` newest (the page may still be loading them)."""

    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime_ns
        except FileNotFoundError:  # removed meanwhile by another animation of the session
            return 0

    earlier = sorted(folder.glob(f"{PREFIX}*.gif"), key=modified)
    for path in earlier[: max(0, len(earlier) - keep)]:
        path.unlink(missing_ok=True)


def animation_steps(
    session: Session,
    cache: PreviewCache,
    pool: ModelPool,
    model: str,
    renderer: str | None,
    folder: Path,
    stale: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[Path, int]]:
    """Yield ``(GIF path, frames in it)`` for each of ``LEVELS``, each in a file of its own in ``folder``.

    Stops early, without a file, as soon as ``stale()`` is true (the edit it shows has changed). The files of
    earlier animations in ``folder`` are removed first, all but the ``KEEP_EARLIER`` newest (``remove_earlier_gifs``:
    the page serves them from there and may still be loading the last one).
    """
    remove_earlier_gifs(folder)
    frames: dict[float, np.ndarray] = {}
    for count in LEVELS:
        times = np.round(np.linspace(0.0, 1.0, count), 6).tolist()
        for t in times:
            if stale():
                return
            if t not in frames:
                frames[t] = preview_frame(session, cache, pool, model, t, renderer)
        yield write_gif([frames[t] for t in times], folder / f"{PREFIX}{uuid.uuid4().hex[:12]}.gif"), count
