"""``python -m interp video``: interpolate a whole video, streaming, with scene cuts, repeats, frame rate and audio."""

from __future__ import annotations

import argparse
from pathlib import Path

from interp.cli.common import (
    add_model_args,
    add_ray_args,
    load_interpolator,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    progress_bar,
    unit_float,
)
from interp.errors import InputError
from interp.scenes import DEFAULT_SCENE_THRESHOLD, DUPLICATE_TOLERANCE
from interp.video import OutputPlan, VideoOptions, VideoResult, interpolate_video, plan_output
from interp.videoio import VideoInfo, probe_video

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


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "video",
        help="interpolate a video (streaming; cuts, repeats, frame rate, audio)",
        description="Interpolate every pair of consecutive frames of a video into an H.264 MP4, decoding, "
        "interpolating and encoding as it goes (memory does not grow with the video's length).",
        epilog=FRAME_RATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--video", required=True, type=Path, metavar="IN", help="input video (anything ffmpeg reads)")
    parser.add_argument("--out", required=True, type=Path, metavar="OUT.mp4", help="output H.264 MP4")
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


def run(args: argparse.Namespace) -> int:
    _check_paths(args.video, args.out, args.force)
    options = VideoOptions(
        nums=args.num,
        scene_threshold=args.scene_threshold,
        keep_duplicates=args.keep_duplicates,
        duplicate_tolerance=args.duplicate_tolerance,
        iters=args.iters,
    )
    info = probe_video(args.video)
    plan = plan_output(info, options, args.fps, audio=not args.no_audio)
    print(_describe_input(info))
    print(_describe_plan(args.out, plan))
    if plan.notice:
        print(plan.notice)
    if args.ray is not None:
        from interp.distributed.entry import video_on_ray  # Ray only with --ray

        with progress_bar("interpolating") as progress:
            result, where = video_on_ray(args, info, plan, options, progress)
        print(_summary(result, args.keep_duplicates))
        print(where)
        return 0
    interpolator = load_interpolator(args)
    with progress_bar("interpolating") as progress:
        result = interpolate_video(interpolator, info.path, args.out, options, args.fps, progress=progress, plan=plan)
    print(_summary(result, args.keep_duplicates))
    return 0
