"""``python -m interp dataset``: distance-index files for a Vimeo-90K septuplet tree, and the flow methods' accuracy."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tqdm import tqdm

from interp.cli.common import add_ray_args, non_negative_float, positive_float, positive_int
from interp.research.distance_index import DEFAULT_MOTION_PRIOR
from interp.research.flow import (
    FLOW_METHODS,
    check_available,
    check_scale,
    choose_method,
    default_chain,
    make_estimator,
)
from interp.research.groundtruth import RegionErrors, measure_index_error
from interp.research.indexer import IndexOptions, IndexReport, index_dataset
from interp.research.vimeo import default_lists, list_septuplets


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    parser.description = "Prepare Vimeo-90K septuplets for training the distance-indexed models."
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    index = actions.add_parser(
        "index",
        help="write dis_index_{i}_{j}_{k}.npy for every septuplet",
        description="For every septuplet and every ordered triple of its frames (i, j, k) with j between i and k "
        "(70 per septuplet, both directions), write the distance index of frame j between frames i and k, "
        "D = <F_i->j, F_i->k> / |F_i->k|^2, as float16 dis_index_{i}_{j}_{k}.npy next to the frames (the official "
        "naming). Resumable: valid existing files are kept.",
    )
    index.add_argument("--root", required=True, type=Path, help="septuplet tree (official sequences/ or flat)")
    index.add_argument(
        "--list",
        dest="lists",
        nargs="+",
        default=None,
        metavar="FILE",
        help="list files of septuplets (default: sep_trainlist.txt and sep_testlist.txt when present, else every "
        "folder with im1..im7.png)",
    )
    _flow_args(index)
    index.add_argument(
        "--workers", type=positive_int, default=2, help="worker processes for CPU flow (default 2; RAFT on a GPU: 1)"
    )
    index.add_argument(
        "--downsample",
        type=positive_int,
        default=2,
        help="store maps at 1/N of the frame size, area-averaged, like the reference's --downsample_ratio "
        "(default 2: 224x128 maps for 448x256 frames, a quarter of the disk; training resizes them back)",
    )
    index.add_argument(
        "--flow-scale",
        type=positive_float,
        default=1.0,
        help="estimate flow at this fraction of the frame size and upsample it (vectors scaled); default 1",
    )
    index.add_argument("--overwrite", action="store_true", help="recompute files that already exist")
    add_ray_args(index)
    index.set_defaults(func=run_index)

    accuracy = actions.add_parser(
        "accuracy",
        help="measure a flow method's distance-index error on synthetic septuplets",
        description="Render synthetic septuplets (textured objects on their own easing curves over a panning "
        "background, exact index known), index all 70 triples of each and print the mean absolute error.",
    )
    _flow_args(accuracy)
    accuracy.add_argument("--seeds", type=positive_int, default=3, help="number of synthetic septuplets (default 3)")
    accuracy.add_argument("--height", type=positive_int, default=256, help="frame height (default 256)")
    accuracy.add_argument("--width", type=positive_int, default=448, help="frame width (default 448)")
    accuracy.add_argument(
        "--flow-scale", type=positive_float, default=1.0, help="estimate flow at this fraction of the size"
    )
    accuracy.set_defaults(func=run_accuracy)


def _flow_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--flow",
        choices=FLOW_METHODS,
        default="auto",
        help="optical flow: raft (torchvision RAFT-large, needs its weights in checkpoints/), dis (OpenCV, no "
        "weights) or auto: raft when its weights are present, else dis (default)",
    )
    parser.add_argument(
        "--chain",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="compose long-range flows from neighbouring-frame flows (default: on for dis, off for raft)",
    )
    parser.add_argument(
        "--motion-prior",
        type=non_negative_float,
        default=DEFAULT_MOTION_PRIOR,
        metavar="PX",
        help="where a pixel's path is shorter than about this many pixels the index tends to the time ratio "
        f"(default {DEFAULT_MOTION_PRIOR}; 0 = plain ratio)",
    )
    parser.add_argument("--device", default=None, help="device for RAFT: cpu or cuda[:N] (default: cuda if present)")


def _method(args: argparse.Namespace) -> str:
    method, why = choose_method(args.flow)
    check_available(method)
    chain = default_chain(method) if args.chain is None else args.chain
    print(f"flow: {why}{', chained over neighbouring frames' if chain else ''}")
    return method


def run_index(args: argparse.Namespace) -> int:
    lists = args.lists if args.lists is not None else [str(p) for p in default_lists(args.root)]
    septuplets = list_septuplets(args.root, lists)
    options = IndexOptions(
        method=_method(args),
        downsample=args.downsample,
        flow_scale=check_scale(args.flow_scale),
        chain=args.chain,
        motion_prior=args.motion_prior,
        device=args.device,
        overwrite=args.overwrite,
    )
    started = time.monotonic()
    bars: list[tqdm] = []  # the bar appears with the first septuplet: an error before it leaves only its own line

    def progress(report: IndexReport, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, desc="indexing", unit="septuplet"))
        bars[0].set_postfix(written=report.written, kept=report.kept, refresh=False)
        bars[0].update(report.septuplets - bars[0].n)

    try:
        if args.ray is not None:
            from interp.distributed.entry import index_on_ray  # Ray only with --ray

            report, where = index_on_ray(args, septuplets, options, progress)
        else:
            report, where = index_dataset(septuplets, options, args.workers, progress), None
    finally:
        for bar in bars:
            bar.close()
    if where is not None:
        print(where)
    print(
        f"{report.septuplets} septuplets in {time.monotonic() - started:.1f} s: {report.written} maps written, "
        f"{report.kept} already present"
    )
    return 0


def _line(label: str, errors: RegionErrors) -> str:
    return (
        f"{label:<28} all {errors.all:.4f}  visible {errors.visible:.4f}  occluded {errors.occluded:.4f}  "
        f"moving objects {errors.objects:.4f}"
    )


def run_accuracy(args: argparse.Namespace) -> int:
    method = _method(args)
    estimator = make_estimator(method, args.device, check_scale(args.flow_scale), args.chain)
    started = time.monotonic()
    accuracy = measure_index_error(
        estimator, tuple(range(args.seeds)), args.height, args.width, motion_prior=args.motion_prior
    )
    print(
        f"{accuracy.maps} maps of {args.seeds} synthetic {args.width}x{args.height} septuplets "
        f"({accuracy.occluded_fraction:.1%} of pixels occluded in frame j or k), {time.monotonic() - started:.1f} s; "
        "mean absolute error of D:"
    )
    print(_line(f"{estimator.name} (as stored)", accuracy.raw))
    print(_line(f"{estimator.name} (clipped, blurred)", accuracy.prepared))
    print(_line("time ratio (uniform map)", accuracy.time_ratio))
    return 0
