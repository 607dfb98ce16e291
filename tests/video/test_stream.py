"""The streaming driver and the output plan, with a recording stand-in for the network (exact, fast)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interp.engine.video import StreamStats, VideoOptions, interpolate_frames, plan_output
from interp.errors import InputError
from interp.io.decode import VideoInfo
from tests.video.clips import scene_frames
from tests.video.fakes import BlendInterpolator


def _run(frames: list[np.ndarray], **options) -> tuple[list[np.ndarray], StreamStats, BlendInterpolator]:
    network, stats = BlendInterpolator(), StreamStats()
    out = list(interpolate_frames(network, frames, VideoOptions(**options), stats))
    return out, stats, network


@pytest.mark.parametrize(("nums", "factor"), [((1,), 2), ((1, 1), 4), ((2,), 3), ((0,), 1), ((1, 2), 6)])
def test_counts_times_and_one_encoding_per_frame(nums: tuple[int, ...], factor: int) -> None:
    frames = scene_frames(0, 5)
    out, stats, network = _run(frames, nums=nums)
    assert VideoOptions(nums=nums).factor == factor
    assert len(out) == stats.frames_out == 5 * factor  # the last frame is held for its own slots
    for i, frame in enumerate(frames):
        assert out[i * factor] is frame  # inputs pass through untouched, on their slots
    assert all(o is frames[-1] for o in out[4 * factor :])
    assert stats.rendered == 4 * (factor - 1)
    assert network.times == [k / factor for k in range(1, factor)] * 4
    assert len(network.encoded) == len(set(network.encoded)) == (5 if factor > 1 else 0)
    assert all(p[1] is q[0] for p, q in itertools.pairwise(network.pairs))  # a frame's encoding serves both pairs
    assert all(o.dtype == np.uint8 and o.shape == frames[0].shape for o in out)


def test_no_blend_across_a_cut() -> None:
    first, second = scene_frames(1, 3), scene_frames(2, 3)
    out, stats, network = _run(first + second, nums=(3,))
    assert stats.cuts == 1
    assert len(out) == 24
    assert all(o is first[-1] for o in out[8:12])  # the cut interval repeats the frame before the cut
    assert out[12] is second[0]
    assert len(network.pairs) == 4  # two pairs per shot rendered, none across
    blended, *_ = _run(first + second, nums=(3,), scene_threshold=0.0)  # detection off: the same slots blend
    assert all(np.abs(b.astype(int) - first[-1].astype(int)).mean() > 5 for b in blended[9:12])


def test_repeats_are_dropped_and_the_gap_interpolated() -> None:
    a, b, c = scene_frames(3, 3)
    out, stats, network = _run([a, a, b, b, b, c], nums=(1,))
    assert stats.duplicates == 3
    assert stats.frames_in == 6
    assert len(out) == 12
    assert out[0] is a
    assert out[4] is b
    assert out[10] is c
    assert network.times == [1 / 4, 2 / 4, 3 / 4] + [k / 6 for k in range(1, 6)]
    assert len(network.encoded) == 3  # each distinct frame once


def test_kept_repeats_and_trailing_repeats() -> None:
    a, b = scene_frames(4, 2)
    out, stats, network = _run([a, a, b], nums=(1,), keep_duplicates=True)
    assert stats.duplicates == 1
    assert len(out) == 6
    assert all(o is a for o in out[:3])  # a, its slot, the repeat (whose slot then moves on to b)
    assert not np.array_equal(out[3], a)
    assert all(o is b for o in out[4:])
    assert network.times == [0.5]  # only the pair (a, b) is rendered
    held, _, _ = _run([a, b, b, b], nums=(1,))
    assert len(held) == 8
    assert all(o is b for o in held[2:])  # nothing to move to after the last distinct frame: hold it


def test_a_long_run_of_repeats_is_interpolated_across() -> None:
    a, b = scene_frames(6, 2)
    out, stats, network = _run([a] * 60 + [b], nums=(1, 1))
    assert len(out) == 61 * 4
    assert stats.rendered == 60 * 4 - 1
    assert network.times == [k / 240 for k in range(1, 240)]


def test_streams_lazily() -> None:
    pulled = 0

    def endless() -> Iterator[np.ndarray]:
        nonlocal pulled
        for frame in itertools.cycle(scene_frames(5, 4)):
            pulled += 1
            yield frame

    first = list(itertools.islice(interpolate_frames(BlendInterpolator(), endless(), VideoOptions(nums=(1,))), 7))
    assert len(first) == 7
    assert pulled == 5  # reads only as far as the frames it has yielded need


def test_too_few_frames_yield_nothing() -> None:
    network = BlendInterpolator()
    with pytest.raises(InputError, match="has no video frames"):
        next(interpolate_frames(network, [], VideoOptions(), source="x.mp4"))
    with pytest.raises(InputError, match=r"x\.mp4 has only 1 frame"):
        next(interpolate_frames(network, scene_frames(0, 1), VideoOptions(), source="x.mp4"))
    mixed = [scene_frames(0, 1)[0], np.zeros((32, 32, 3), np.uint8)]
    with pytest.raises(InputError, match="frame 1 of"):
        list(interpolate_frames(network, mixed, VideoOptions()))


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"nums": ()}, "--num needs at least one value"),
        ({"nums": (-1,)}, "integers >= 0"),
        ({"scene_threshold": 2.0}, "scene threshold"),
        ({"duplicate_tolerance": -1.0}, "duplicate tolerance"),
    ],
)
def test_bad_options(options: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        VideoOptions(**options)


def _info(fps: float = 25.0, frames: int = 100, audio: str | None = "aac") -> VideoInfo:
    return VideoInfo(Path("in.mp4"), 96, 64, fps, frames / fps, frames, "h264", audio)


def test_plan_keeps_duration_and_audio_by_default() -> None:
    plan = plan_output(_info(), VideoOptions(nums=(1, 1)))
    assert (plan.fps, plan.factor, plan.frame_count) == (100.0, 4, 400)
    assert plan.duration == pytest.approx(4.0)
    assert plan.keeps_duration
    assert plan.audio == "copy"
    assert plan.notice is None
    assert plan_output(_info(audio="pcm_s16le"), VideoOptions()).audio == "aac"  # MP4 cannot hold it as it is
    assert plan_output(_info(audio=None), VideoOptions()).audio is None
    assert plan_output(_info(), VideoOptions(), audio=False).audio is None
    assert plan_output(_info(), VideoOptions(nums=(1,)), fps=50.0).audio == "copy"  # the natural rate, spelled out


def test_plan_explicit_rate_is_slow_motion_without_audio() -> None:
    plan = plan_output(_info(), VideoOptions(nums=(1,)), fps=25.0)
    assert plan.fps == 25.0
    assert plan.frame_count == 200
    assert plan.duration == pytest.approx(8.0)
    assert plan.stretch == pytest.approx(2.0)
    assert plan.audio is None
    assert plan.notice is not None
    assert "slow motion" in plan.notice
    assert "dropped" in plan.notice
    assert plan_output(_info(audio=None), VideoOptions(), fps=25.0).notice is None  # nothing to drop


def test_plan_refuses_a_rate_beyond_the_limit() -> None:
    with pytest.raises(InputError, match="pass --fps"):
        plan_output(_info(fps=60.0), VideoOptions(nums=(7,)))
    with pytest.raises(InputError, match="output rate"):
        plan_output(_info(), VideoOptions(), fps=1000.0)
