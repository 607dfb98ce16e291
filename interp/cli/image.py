"""``python -m interp image``: interpolate a pair of images (a sequence, one time, or one per-pixel map)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from interp.cli.common import (
    add_model_args,
    add_output_folder_args,
    check_output_folder,
    load_interpolator,
    non_negative_int,
    positive_float,
    progress_bar,
    unit_float,
)
from interp.core.images import to_uint8
from interp.core.progress import drain
from interp.engine.interpolator import Interpolator
from interp.engine.sequence import check_nums, render_direct, render_recursive
from interp.errors import InputError
from interp.io.encode import check_fps
from interp.io.files import atomic_folder, atomic_path
from interp.io.images import read_image, write_image
from interp.io.outputs import GIF_NAME, MP4_NAME, write_sequence


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    parser.description = (
        "Interpolate two images: a sequence (--num), one frame at a time (--time) or one frame for a "
        "per-pixel distance map (--distance-map). Writes numbered PNGs (the inputs are the first and last), and on "
        "request a looping GIF and an H.264 MP4."
    )
    parser.add_argument("--img0", required=True, type=Path, help="first frame")
    parser.add_argument("--img1", required=True, type=Path, help="second frame (same size)")
    add_output_folder_args(parser)
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--num",
        type=non_negative_int,
        nargs="+",
        metavar="N",
        help="insert N1 frames between each pair, then N2 between each pair of the result, … "
        "(default: 1; '1 1 1' gives 2 -> 3 -> 5 -> 9 frames)",
    )
    what.add_argument("--time", type=unit_float, metavar="T", help="render one frame at time T in [0, 1]")
    what.add_argument(
        "--distance-map",
        type=Path,
        metavar="D.npy",
        help="render one frame for a per-pixel map: an H x W float .npy in [0, 1], the images' size",
    )
    parser.add_argument(
        "--recursive",
        action="store_true",
        help="re-interpolate between generated frames level by level (the seed's way) instead of "
        "rendering every frame from the input pair",
    )
    parser.add_argument("--gif", action="store_true", help=f"also write a looping {GIF_NAME} (sequences)")
    parser.add_argument("--mp4", action="store_true", help=f"also write an H.264 {MP4_NAME} (sequences)")
    parser.add_argument("--fps", type=positive_float, default=10.0, help="frame rate of the GIF/MP4 (default 10)")
    parser.add_argument(
        "--save-raw",
        type=Path,
        metavar="OUT.npy",
        help="with --time or --distance-map: also save the frame unquantised, float32 3 x H x W RGB",
    )
    add_model_args(parser)
    parser.set_defaults(func=run)


def load_distance_map(path: Path, height: int, width: int) -> np.ndarray:
    """Read an ``H x W`` float map in [0, 1] from ``.npy``; raise ``InputError`` on any mismatch."""
    if not path.is_file():
        raise InputError(f"no such distance map: {path}")
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read distance map {path}: {exc}") from exc
    if array.ndim == 3 and 1 in (array.shape[0], array.shape[-1]):
        array = array.reshape(array.shape[1:] if array.shape[0] == 1 else array.shape[:-1])
    if array.shape != (height, width):
        raise InputError(f"distance map {path} is {array.shape}, the images are {height} x {width}")
    if not np.issubdtype(array.dtype, np.floating) and not np.issubdtype(array.dtype, np.integer):
        raise InputError(f"distance map {path} must hold numbers, got {array.dtype}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
        raise InputError(
            f"distance map {path} must hold finite values in [0, 1], got [{array.min():g}, {array.max():g}]"
        )
    return array


def _check_args(args: argparse.Namespace) -> None:
    single = args.time is not None or args.distance_map is not None
    if args.save_raw is not None and not single:
        raise InputError("--save-raw needs --time or --distance-map (it saves one frame)")
    if single and (args.gif or args.mp4):
        raise InputError("--gif and --mp4 need a sequence (--num), not a single frame")
    if args.save_raw is not None and args.save_raw.suffix != ".npy":
        raise InputError(f"--save-raw must name a .npy file, got {args.save_raw}")
    check_fps(args.fps)
    if args.num is not None:
        check_nums(args.num)
    check_output_folder(args.out, args.force)


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    img0, img1 = read_image(args.img0), read_image(args.img1)
    if img0.shape != img1.shape:
        raise InputError(
            f"images differ in size: {args.img0} is {img0.shape[1]}x{img0.shape[0]}, "
            f"{args.img1} is {img1.shape[1]}x{img1.shape[0]}; resize one to the other first"
        )
    dmap = None if args.distance_map is None else load_distance_map(args.distance_map, *img0.shape[:2])
    started = time.perf_counter()
    interpolator = load_interpolator(args)
    if dmap is not None or args.time is not None:
        written = _render_single(args, interpolator, img0, img1, dmap)
    else:
        written = _render_sequence(args, interpolator, img0, img1)
    print(f"wrote {written} to {args.out} with {interpolator.spec.name} in {time.perf_counter() - started:.1f} s")
    return 0


def _render_single(
    args: argparse.Namespace, interpolator: Interpolator, img0: np.ndarray, img1: np.ndarray, dmap: np.ndarray | None
) -> str:
    target = dmap if dmap is not None else args.time
    frame = interpolator.render(interpolator.encode_pair(img0, img1), [target], iters=args.iters)[0]
    name = "map.png" if dmap is not None else f"t{args.time:.4f}.png"
    with atomic_folder(args.out) as staging:
        write_image(staging / name, to_uint8(frame))
        if args.save_raw is not None:
            with atomic_path(args.save_raw) as raw, raw.open("wb") as handle:
                np.save(handle, np.ascontiguousarray(frame.transpose(2, 0, 1), dtype=np.float32))
    return name + (f" and {args.save_raw}" if args.save_raw is not None else "")


def _render_sequence(args: argparse.Namespace, interpolator: Interpolator, img0: np.ndarray, img1: np.ndarray) -> str:
    nums = args.num if args.num is not None else [1]
    render = render_recursive if args.recursive else render_direct
    with progress_bar("interpolating") as progress:
        frames = render(interpolator, img0, img1, nums, args.iters, progress)
        files = drain(write_sequence(frames, args.out, args.fps, gif=args.gif, mp4=args.mp4))
    extras = "".join(f", {path.name}" for path in (files.gif, files.mp4) if path is not None)
    return f"{len(files.frames)} frames{extras}"
