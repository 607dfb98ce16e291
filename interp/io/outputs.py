"""The one way a rendered sequence is written: numbered PNGs and, on request, a looping GIF and an H.264 MP4.

Names (the same for ``interp image``, ``interp render``, the app and its API): ``frame_0000.png``,
``frame_0001.png``… in time order, ``interp.gif`` and ``interp.mp4``. All-or-nothing: the files appear together when
the last frame is written, or not at all (an error or a cancelled render leaves the folder as it was); with
``--force`` the files of an earlier run that these names match are replaced, others are kept.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interp.io.encode import FfmpegWriter
from interp.io.files import atomic_folder
from interp.io.images import read_image, write_image

FRAME_PATTERN = "frame_{:04d}.png"
FRAME_GLOB = "frame_*.png"
GIF_NAME = "interp.gif"
MP4_NAME = "interp.mp4"
#: How the animations play the frames: once forward, or forward then back (without repeating the turning frames).
LOOPS = ("forward", "there-and-back")


@dataclass(frozen=True)
class SequenceFiles:
    """What ``write_sequence`` wrote: the frames in order and the animations asked for."""

    folder: Path
    frames: tuple[Path, ...]
    gif: Path | None
    mp4: Path | None


def animation_order(count: int, loop: str) -> list[int]:
    """Frame indices of the animation: forward, or there-and-back (without repeating the turning frames)."""
    forward = list(range(count))
    return forward + forward[-2:0:-1] if loop == "there-and-back" else forward


def write_sequence(
    frames: Iterable[np.ndarray],
    out: Path,
    fps: float,
    gif: bool = False,
    mp4: bool = False,
    loop: str = "forward",
    audio_from: Path | None = None,
    audio_codec: str = "aac",
) -> Generator[int, None, SequenceFiles]:
    """Write ``frames`` (``H x W x 3`` uint8 RGB) into ``out``, yielding the number written so far (again while a
    there-and-back loop's return leg is encoded and while the encoders finish).

    Each frame goes to its PNG and to the encoders as it arrives; a there-and-back loop reads the PNGs back for its
    return leg. Closing the generator early (a cancelled render) removes everything it wrote. The generator's return
    value is the ``SequenceFiles``. ``audio_from``: a media file whose audio goes into the MP4 (``audio_codec``:
    ``"aac"`` or ``"copy"``).
    """
    wanted = [name for name, asked in ((GIF_NAME, gif), (MP4_NAME, mp4)) if asked]
    with atomic_folder(out, owned=(FRAME_GLOB, GIF_NAME, MP4_NAME)) as staging, ExitStack() as stack:
        writers = [
            stack.enter_context(
                FfmpegWriter(
                    staging / name, fps, audio_from=audio_from if name == MP4_NAME else None, audio_codec=audio_codec
                )
            )
            for name in wanted
        ]
        paths: list[Path] = []
        for index, frame in enumerate(frames):
            paths.append(write_image(staging / FRAME_PATTERN.format(index), frame))
            for writer in writers:
                writer.write(frame)
            yield len(paths)
        for index in animation_order(len(paths), loop)[len(paths) :] if writers else []:
            frame = read_image(paths[index])
            for writer in writers:
                writer.write(frame)
            yield len(paths)  # the return leg and the encoders' last pass are steps too: a cancel stops them
        for writer in writers:
            yield from (len(paths) for _ in writer.finishing())
    return SequenceFiles(
        folder=out,
        frames=tuple(out / path.name for path in paths),
        gif=out / GIF_NAME if gif else None,
        mp4=out / MP4_NAME if mp4 else None,
    )
