"""Probing and streaming real (generated) video files."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from interp.errors import InputError
from interp.io.decode import exact_rate, iter_frames, probe_video
from interp.io.encode import AUDIO_CODECS, FfmpegWriter
from tests.video.clips import mean_difference
from tests.video.conftest import BAD_INPUTS, Clips, make_bad_input


def test_probe(clips: Clips) -> None:
    info = probe_video(clips.plain)
    assert (info.width, info.height, info.fps, info.frame_count) == (96, 64, 10.0, 4)
    assert info.duration == pytest.approx(0.4)
    assert info.codec == "h264"
    assert not info.has_audio
    with_audio = probe_video(clips.audio)
    assert with_audio.audio_codec == "aac"
    assert with_audio.audio_copyable


def test_frames_stream_one_at_a_time(clips: Clips) -> None:
    frames = iter_frames(clips.plain)
    first = next(frames)
    assert first.shape == (64, 96, 3)
    assert first.dtype == np.uint8
    rest = list(frames)
    assert len(rest) == 3
    for decoded, written in zip([first, *rest], clips.plain_frames, strict=True):
        assert mean_difference(decoded, written) < 3.0  # lossless H.264 but for 4:2:0 chroma


def test_closing_early_stops_decoding(clips: Clips) -> None:
    frames = iter_frames(clips.plain)
    next(frames)
    frames.close()  # must not hang or leak an error
    with pytest.raises(StopIteration):
        next(frames)


def test_exact_ntsc_rates() -> None:
    assert exact_rate(29.97) == 30000 / 1001
    assert exact_rate(23.98) == 24000 / 1001
    assert exact_rate(59.94) == 60000 / 1001
    assert exact_rate(25.0) == 25.0
    assert exact_rate(30.0) == 30.0


@pytest.mark.parametrize(("kind", "message"), BAD_INPUTS[:-1])
def test_probe_errors(kind: str, message: str, clips: Clips, tmp_path: Path) -> None:
    path = make_bad_input(kind, tmp_path, clips)
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        probe_video(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_writer_audio_modes(clips: Clips, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="audio_codec must be one of"):
        FfmpegWriter(tmp_path / "a.mp4", 10.0, audio_from=clips.audio, audio_codec="opus")
    for mode in AUDIO_CODECS:
        path = tmp_path / f"{mode}.mp4"
        with FfmpegWriter(path, 10.0, audio_from=clips.audio, audio_codec=mode) as writer:
            for frame in clips.plain_frames:
                writer.write(frame)
        assert probe_video(path).audio_codec == "aac"
