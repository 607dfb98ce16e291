"""``python -m interp video`` end to end on generated clips with the real rife-v4 weights."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import interp.engine.video as video_module
from interp.cli import main
from interp.engine.interpolator import Interpolator
from interp.engine.video import VideoOptions, interpolate_video
from interp.errors import InputError
from tests.video.clips import decode, mean_difference, video_seconds
from tests.video.conftest import BAD_INPUTS, FPS, Clips, make_bad_input
from tests.video.fakes import BlendInterpolator


@pytest.fixture(scope="module")
def rife() -> Interpolator:
    return Interpolator.load("rife-v4", device="cpu")


@pytest.fixture(autouse=True)
def _one_model_load(rife: Interpolator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CLI run below uses the default model; load it once per module instead of once per run."""
    monkeypatch.setattr("interp.cli.video.load_interpolator", lambda args: rife)


def _run(*args: object) -> int:
    return main(["video", *(str(a) for a in args)])


def _no_leftovers(folder: Path, expected: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == expected  # no output, no hidden partial file


@pytest.mark.parametrize(("nums", "factor"), [(["1"], 2), (["1", "1"], 4), (["2"], 3)])
def test_frame_counts_rate_and_duration(clips: Clips, tmp_path: Path, nums: list[str], factor: int) -> None:
    out = tmp_path / "out.mp4"
    assert _run("--video", clips.plain, "--out", out, "--num", *nums) == 0
    meta, frames = decode(out)
    assert len(frames) == 4 * factor  # n input frames -> n x factor, the last one held for its own slots
    assert meta["fps"] == pytest.approx(FPS * factor)
    assert video_seconds(out) == pytest.approx(0.4, abs=1e-6)  # the input's duration
    inputs = decode(clips.plain)[1]
    for i, source in enumerate(inputs):
        assert mean_difference(frames[i * factor], source) < 3.5  # each input lands on its own slot
    for i, source in enumerate(inputs[1:]):
        assert mean_difference(frames[i * factor], source) > 6.0  # (and not on its neighbour's)
    steps = [mean_difference(a, b) for a, b in itertools.pairwise(frames[: 3 * factor + 1])]
    assert min(steps) > 1.2  # every in-between frame is a new picture, none a copy
    assert max(mean_difference(a, b) for a, b in itertools.pairwise(frames[3 * factor :])) < 0.6


def test_audio_kept_with_duration_and_dropped_for_slow_motion(clips: Clips, tmp_path: Path, capsys) -> None:
    kept = tmp_path / "kept.mp4"
    assert _run("--video", clips.audio, "--out", kept) == 0
    meta, frames = decode(kept)
    assert meta.get("audio_codec") == "aac"
    assert (len(frames), meta["fps"]) == (8, 20.0)
    assert video_seconds(kept) == pytest.approx(0.4, abs=1e-6)
    assert "audio copied" in capsys.readouterr().out

    slow = tmp_path / "slow.mp4"
    assert _run("--video", clips.audio, "--out", slow, "--fps", FPS) == 0
    meta, frames = decode(slow)
    assert "audio_codec" not in meta
    assert (len(frames), meta["fps"]) == (8, FPS)
    assert video_seconds(slow) == pytest.approx(0.8, abs=1e-6)  # twice as long: slow motion
    printed = capsys.readouterr().out
    assert "slow motion" in printed
    assert "audio would not match, so it is dropped" in printed

    silent = tmp_path / "silent.mp4"
    assert _run("--video", clips.audio, "--out", silent, "--no-audio") == 0
    assert "audio_codec" not in decode(silent)[0]


def test_no_blended_frame_across_a_cut(clips: Clips, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cut.mp4"
    assert _run("--video", clips.cut, "--out", out, "--num", 1) == 0
    assert "1 scene cut," in capsys.readouterr().out
    _, frames = decode(out)
    assert len(frames) == 12
    inputs = decode(clips.cut)[1]
    before, after = inputs[2], inputs[3]
    assert mean_difference(frames[4], before) < 3.5
    assert mean_difference(frames[5], before) < 3.5  # the slot between the shots repeats the frame before the cut
    assert mean_difference(frames[5], frames[4]) < 0.6
    assert mean_difference(frames[6], after) < 3.5
    assert mean_difference(frames[3], frames[2]) > 1.2  # while inside a shot frames are interpolated
    off = tmp_path / "off.mp4"
    assert _run("--video", clips.cut, "--out", off, "--num", 1, "--scene-threshold", 0) == 0
    blended = decode(off)[1][5]  # without detection that slot mixes both shots
    assert min(mean_difference(blended, before), mean_difference(blended, after)) > 5.0


def test_repeated_frames_dropped_or_kept(clips: Clips, tmp_path: Path, capsys) -> None:
    dropped = tmp_path / "dropped.mp4"
    assert _run("--video", clips.repeats, "--out", dropped) == 0
    assert "1 repeated frame dropped" in capsys.readouterr().out
    _, frames = decode(dropped)
    assert len(frames) == 12  # the duration is kept: a b b c -> a . b . . . c
    inputs = decode(clips.repeats)[1]
    b, c = inputs[1], inputs[3]
    assert mean_difference(frames[2], b) < 3.5
    assert mean_difference(frames[6], c) < 3.5
    steps = [mean_difference(x, y) for x, y in itertools.pairwise(frames[2:7])]
    assert min(steps) > 1.2  # b moves on to c in four steps, no frame stands still

    kept = tmp_path / "kept.mp4"
    assert _run("--video", clips.repeats, "--out", kept, "--keep-duplicates") == 0
    assert "1 repeated frame kept" in capsys.readouterr().out
    _, frames = decode(kept)
    assert len(frames) == 12
    assert all(mean_difference(frames[i], b) < 3.5 for i in (2, 3, 4))  # b, its slot, the repeat: b stands still
    assert max(mean_difference(frames[i], frames[2]) for i in (3, 4)) < 0.6
    assert mean_difference(frames[5], frames[4]) > 1.2


def test_duplicate_tolerance_decides_what_counts_as_a_repeat(clips: Clips, tmp_path: Path, capsys) -> None:
    """At 255 grey levels every frame repeats the first: all are dropped and the first frame is held throughout."""
    out = tmp_path / "held.mp4"
    assert _run("--video", clips.plain, "--out", out, "--duplicate-tolerance", 255) == 0
    inputs = decode(clips.plain)[1]
    assert f"{len(inputs) - 1} repeated frames dropped" in capsys.readouterr().out
    _, frames = decode(out)
    assert len(frames) == 2 * len(inputs)
    assert max(mean_difference(frame, inputs[0]) for frame in frames) < 3.5
    assert mean_difference(inputs[-1], inputs[0]) > 3.5  # the input itself does move


@pytest.mark.parametrize(("kind", "message"), BAD_INPUTS)
def test_bad_input_fails_with_one_line_and_no_output(kind: str, message: str, clips: Clips, tmp_path, capsys) -> None:
    path = make_bad_input(kind, tmp_path, clips)
    before = {p.name for p in tmp_path.iterdir()}
    assert _run("--video", path, "--out", tmp_path / "out.mp4") == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert error[0].startswith("error: ")
    assert message in error[0]
    _no_leftovers(tmp_path, before)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--num", "-1"], "argument --num: must be an integer >= 0, got '-1'"),
        (["--num", "two"], "argument --num: not an integer: 'two'"),
        (["--fps", "0"], "argument --fps: must be a number > 0"),
        (["--fps", "nan"], "argument --fps: must be finite"),
        (["--scene-threshold", "1.5"], "argument --scene-threshold: must be in [0, 1]"),
        (["--iters", "0"], "argument --iters: must be an integer >= 1"),
        (["--duplicate-tolerance", "-1"], "argument --duplicate-tolerance: must be a number >= 0"),
        (["--duplicate-tolerance", "inf"], "argument --duplicate-tolerance: must be finite"),
    ],
)
def test_nonsense_numbers(args: list[str], message: str, clips: Clips, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        _run("--video", clips.plain, "--out", tmp_path / "out.mp4", *args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err.strip().splitlines()[-1]
    _no_leftovers(tmp_path, set())


@pytest.mark.parametrize(
    ("out", "extra", "message"),
    [
        ("out.gif", [], "--out must name an .mp4 file"),
        ("taken.mp4", [], "exists; choose another name or pass --force"),
        ("out.mp4", ["--num", "30"], "output rate must be in (0, 240] fps, got 310"),
        ("out.mp4", ["--fps", "1000"], "output rate must be in (0, 240] fps, got 1000"),
    ],
)
def test_bad_output_settings(out: str, extra: list[str], message: str, clips: Clips, tmp_path, capsys) -> None:
    (tmp_path / "taken.mp4").write_bytes(b"keep me")
    assert _run("--video", clips.plain, "--out", tmp_path / out, *extra) == 2
    assert message in capsys.readouterr().err
    _no_leftovers(tmp_path, {"taken.mp4"})
    assert (tmp_path / "taken.mp4").read_bytes() == b"keep me"


def test_force_overwrites_and_same_file_is_refused(clips: Clips, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.mp4"
    out.write_bytes(b"old")
    assert _run("--video", clips.plain, "--out", out, "--num", 0, "--force") == 0
    assert len(decode(out)[1]) == 4
    assert _run("--video", out, "--out", out, "--force") == 2
    assert "--out must differ from --video" in capsys.readouterr().err


def test_a_stream_that_breaks_midway_leaves_no_output(clips: Clips, tmp_path: Path, monkeypatch) -> None:
    def breaks_after_three(path: Path) -> Iterator[np.ndarray]:
        yield from clips.plain_frames[:3]
        raise InputError(f"cannot decode frame 3 of {path}: broken")

    monkeypatch.setattr(video_module, "iter_frames", breaks_after_three)
    with pytest.raises(InputError, match=re.escape("cannot decode frame 3")):
        interpolate_video(BlendInterpolator(), clips.plain, tmp_path / "out.mp4", VideoOptions())
    _no_leftovers(tmp_path, set())


def test_a_folder_of_videos_makes_one_mp4_each_and_a_bad_one_does_not_stop_the_rest(
    clips: Clips, tmp_path: Path, capsys
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, source in (("first", clips.plain), ("second", clips.cut)):
        (inputs / f"{name}.mp4").write_bytes(source.read_bytes())
    (inputs / "broken.mp4").write_text("not a video\n")
    (inputs / "notes.txt").write_text("not a video either, and not taken as one\n")
    out = tmp_path / "out"
    assert _run("--video", inputs, "--out", out) == 1  # one input failed
    printed = capsys.readouterr().out
    assert "failed: " in printed
    assert "broken.mp4" in printed
    assert "2 of 3 videos written" in printed
    assert sorted(p.name for p in out.iterdir()) == ["first.mp4", "second.mp4"]  # nothing of the broken one
    assert len(decode(out / "first.mp4")[1]) == 8
    assert len(decode(out / "second.mp4")[1]) == 12
    # several files name the inputs too; an existing output needs --force, checked before anything runs
    code = main(["video", "--video", str(inputs / "first.mp4"), str(inputs / "second.mp4"), "--out", str(out)])
    assert code == 2
    assert "exists" in capsys.readouterr().err
    assert _run("--video", inputs / "first.mp4", inputs / "second.mp4", "--out", out, "--force") == 0


def test_several_inputs_need_an_output_folder(clips: Clips, tmp_path: Path, capsys) -> None:
    assert main(["video", "--video", str(clips.plain), str(clips.cut), "--out", str(tmp_path / "x.mp4")]) == 2
    assert "names a folder" in capsys.readouterr().err
