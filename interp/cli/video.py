"""``python -m interp video``: interpolate a whole video, streaming, with scene cuts, repeats, frame rate and audio."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from interp.cli.common import (
    add_model_args,
    add_ray_args,
    expand_inputs,
    load_interpolator,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    progress_bar,
    unit_float,
)
from interp.engine.scenes import DEFAULT_SCENE_THRESHOLD, DUPLICATE_TOLERANCE
from interp.engine.video import OutputPlan, VideoOptions, VideoResult, interpolate_video, plan_output
from interp.errors import InputError, InterpError
from interp.io.decode import VideoInfo, probe_video

#: File suffixes taken from a folder given as --video.
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg")

FRAME_RATE_HELP = """\
frame rate:
  By default the output keeps the input's duration: its rate is the input's
  multiplied by the factor prod(N+1) of --num (25 fps with --num 1 gives 50 fps),
  and the input's audio is copied.
  --fps F sets the output rate explicitly: the duration becomes
  input fps x factor / F, so passing the input's own rate gives slow motion by
  the factor (25 fps with --num 1 and --fps 25: half speed); the audio would no
  longer match and is dropped with a notice.
  n input frames always give n x factor output frames (the last frame is held
  for its own slots).

scene cuts and repeated frames:
  Consecutive frames whose similarity (thumbnail correlation and colour
  histogram overlap, 0-1) falls below --scene-threshold are a cut: nothing is
  blended across it, the in-between frames repeat the frame before the cut.
  A frame that repeats the one before it is dropped and the gap interpolated
  across (A A B: A, then frames moving smoothly to B), keeping the duration;
  --keep-duplicates keeps repeats as they are. A repeat may differ from the
  frame before it by --duplicate-tolerance grey levels per 8x8 block (codec
  noise); heavily compressed files may need a higher value.
"""


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    parser.description = (
        "Interpolate every pair of consecutive frames of a video into an H.264 MP4, decoding, "
        "interpolating and encoding as it goes (memory does not grow with the video's length)."
    )
    parser.epilog = FRAME_RATE_HELP
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--video",
        required=True,
        type=Path,
        nargs="+",
        metavar="IN",
        help="input video (anything ffmpeg reads); several videos or a folder of them make one MP4 each in --out",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="OUT.mp4",
        help="output H.264 MP4 (with several inputs or a folder: the folder for IN_NAME.mp4 files)",
    )
    parser.add_argument(
        "--num",
        type=non_negative_int,
        nargs="+",
        default=[1],
        metavar="N",
        help="insert N1 frames between each pair, then N2 between each pair of the result, … "
        "(default 1: twice the frames; '1 1' gives 4x, '3' gives 4x too)",
    )
    parser.add_argument(
        "--fps",
        type=positive_float,
        default=None,
        metavar="F",
        help="output frame rate (default: input fps x factor, same duration; the input's own rate gives slow motion)",
    )
    parser.add_argument(
        "--scene-threshold",
        type=unit_float,
        default=DEFAULT_SCENE_THRESHOLD,
        metavar="X",
        help=f"similarity (0-1) below which consecutive frames are a scene cut (default {DEFAULT_SCENE_THRESHOLD}; "
        "0 turns cut detection off, higher finds more cuts)",
    )
    parser.add_argument(
        "--keep-duplicates",
        action="store_true",
        help="keep repeated frames (default: drop them and interpolate across the gap)",
    )
    parser.add_argument(
        "--duplicate-tolerance",
        type=non_negative_float,
        default=DUPLICATE_TOLERANCE,
        metavar="G",
        help=f"a frame repeats the one before it when no 8x8 block differs by more than G grey levels on average "
        f"(default {DUPLICATE_TOLERANCE:g}; 0 = identical only; raise it for repeats in heavily compressed files)",
    )
    parser.add_argument("--no-audio", action="store_true", help="write no audio track")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    add_model_args(parser)
    add_ray_args(parser)
    parser.add_argument(
        "--chunk-frames",
        type=positive_int,
        default=100,
        metavar="N",
        help="with --ray: input frames per chunk at most (chunks end early at scene cuts; default 100)",
    )
    parser.set_defaults(func=run)


def _check_paths(video: Path, out: Path, force: bool) -> None:
    if out.suffix.lower() != ".mp4":
        raise InputError(f"--out must name an .mp4 file, got {str(out)!r}")
    if out.is_dir():
        raise InputError(f"--out {out} is a folder; name an .mp4 file")
    if video.exists() and out.exists() and out.resolve() == video.resolve():
        raise InputError(f"--out must differ from --video, got {str(out)!r} for both")
    if out.exists() and not force:
        raise InputError(f"{out} exists; choose another name or pass --force to overwrite it")


def _describe_input(info: VideoInfo) -> str:
    audio = f", audio {info.audio_codec}" if info.has_audio else ", no audio"
    return (
        f"{info.path}: {info.width}x{info.height}, {info.fps:g} fps, {info.frame_count} frames, "
        f"{info.duration:.2f} s{audio}"
    )


def _describe_plan(out: Path, plan: OutputPlan) -> str:
    audio = {"copy": "audio copied", "aac": "audio re-encoded to AAC", None: "no audio"}[plan.audio]
    return f"-> {out}: x{plan.factor}, {plan.fps:g} fps, ~{plan.frame_count} frames, {plan.duration:.2f} s, {audio}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _summary(result: VideoResult, keep_duplicates: bool) -> str:
    stats = result.stats
    repeats = f"{_count(stats.duplicates, 'repeated frame')} {'kept' if keep_duplicates else 'dropped'}"
    speed = stats.frames_out / result.seconds if result.seconds > 0 else 0.0
    return (
        f"wrote {result.path}: {stats.frames_out} frames at {result.plan.fps:g} fps "
        f"({stats.frames_out / result.plan.fps:.2f} s) from {stats.frames_in} input frames; {repeats}, "
        f"{_count(stats.cuts, 'scene cut')}, {_count(stats.rendered, 'frame')} rendered; "
        f"{result.seconds:.1f} s ({speed:.2f} frames/s)"
    )


def video_inputs(paths: list[Path]) -> list[Path]:
    """The videos named on the command line: files as given, folders as their video files (sorted by name)."""
    return expand_inputs(paths, VIDEO_SUFFIXES, "video")


def _batch_outputs(videos: list[Path], out: Path, force: bool) -> list[tuple[Path, Path]]:
    """(input, output) pairs for several inputs: ``out/<input name>.mp4``, checked before anything runs."""
    if out.suffix.lower() == ".mp4" or (out.exists() and not out.is_dir()):
        raise InputError(f"with several inputs --out names a folder for their MP4s, got {str(out)!r}")
    names = [video.stem for video in videos]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InputError(f"two inputs would both write {twice[0]}.mp4; rename one or run them apart")
    jobs = [(video, out / f"{video.stem}.mp4") for video in videos]
    for video, target in jobs:
        _check_paths(video, target, force)
    return jobs


def _options(args: argparse.Namespace) -> VideoOptions:
    return VideoOptions(
        nums=args.num,
        scene_threshold=args.scene_threshold,
        keep_duplicates=args.keep_duplicates,
        duplicate_tolerance=args.duplicate_tolerance,
        iters=args.iters,
    )


def _plan(args: argparse.Namespace, video: Path, out: Path, options: VideoOptions) -> tuple[VideoInfo, OutputPlan]:
    """Probe one input and print what will be written."""
    info = probe_video(video)
    plan = plan_output(info, options, args.fps, audio=not args.no_audio)
    print(_describe_input(info))
    print(_describe_plan(out, plan))
    if plan.notice:
        print(plan.notice)
    return info, plan


def run(args: argparse.Namespace) -> int:
    videos = video_inputs(args.video)
    if len(videos) == 1 and not args.video[0].is_dir():
        return _run_one(args, videos[0], args.out)
    return _run_many(args, _batch_outputs(videos, args.out, args.force))


def _run_one(args: argparse.Namespace, video: Path, out: Path) -> int:
    _check_paths(video, out, args.force)
    options = _options(args)
    info, plan = _plan(args, video, out, options)
    if args.ray is not None:
        from interp.distributed.entry import video_on_ray  # Ray only with --ray

        with progress_bar("interpolating") as progress:
            result, where = video_on_ray(args, info, plan, options, out, progress)
        print(_summary(result, args.keep_duplicates))
        print(where)
        return 0
    interpolator = load_interpolator(args)
    with progress_bar("interpolating") as progress:
        result = interpolate_video(interpolator, info.path, out, options, args.fps, progress=progress, plan=plan)
    print(_summary(result, args.keep_duplicates))
    return 0


def _run_many(args: argparse.Namespace, jobs: list[tuple[Path, Path]]) -> int:
    """Every input in turn (on one Ray session with ``--ray``, else one loaded model); a failure of one is reported
    and the others still run. Exit status 1 when any failed."""
    options = _options(args)
    args.out.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []

    def render_all(render: Callable[[VideoInfo, OutputPlan, Path], VideoResult]) -> None:
        for number, (video, out) in enumerate(jobs, 1):
            print(f"[{number}/{len(jobs)}] {video}")
            try:
                info, plan = _plan(args, video, out, options)
                print(_summary(render(info, plan, out), args.keep_duplicates))
            except InterpError as exc:
                print(f"failed: {video}: {exc}")
                failed.append(str(video))

    if args.ray is not None:
        from interp.distributed.entry import ray_videos  # Ray only with --ray

        with ray_videos(args, options) as render_on_ray:
            render_all(render_on_ray)
    else:
        interpolator = load_interpolator(args)

        def render_here(info: VideoInfo, plan: OutputPlan, out: Path) -> VideoResult:
            with progress_bar("interpolating") as progress:
                return interpolate_video(interpolator, info.path, out, options, args.fps, progress=progress, plan=plan)

        render_all(render_here)
    print(f"{len(jobs) - len(failed)} of {len(jobs)} videos written to {args.out}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0
