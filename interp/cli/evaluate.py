"""``python -m interp eval``: PSNR / SSIM against ground truth (triplets or Vimeo-90K septuplets)."""

from __future__ import annotations

import argparse
from pathlib import Path

from interp.cli.common import add_model_args, load_interpolator, progress_bar
from interp.evaluate import discover, evaluate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure PSNR and SSIM against ground truth",
        description="Evaluate a model on <seq>/{frame0,gt,frame1}.png triplets (gt at t = 0.5) or on Vimeo-90K "
        "septuplets <seq>/im1..im7.png ((im1, im7) -> im2..im6 at t = k/6, with dis_index_0_k_6.npy maps when "
        "present). Outputs are quantised to 8 bits before scoring.",
    )
    parser.add_argument("--data", required=True, type=Path, help="dataset folder")
    parser.add_argument(
        "--uniform", action="store_true", help="septuplets: use uniform maps (t = k/6) even where distance maps exist"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample's figures")
    add_model_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    samples = discover(args.data, uniform=args.uniform)
    interpolator = load_interpolator(args)
    with progress_bar("evaluating", enabled=not args.verbose) as progress:
        report = evaluate(interpolator, samples, iters=args.iters, progress=progress)
    if args.verbose:
        for score in report.scores:
            print(f"{score.sample:>24}  t={score.t:.3f}  PSNR {score.psnr:6.2f} dB  SSIM {score.ssim:.4f}")
    positions = report.by_position()
    if len(positions) > 1:
        for t, (p, s) in positions.items():
            print(f"t={t:.3f}: PSNR {p:.2f} dB  SSIM {s:.4f}")
    print(
        f"{interpolator.spec.name} on {args.data} ({len(samples)} samples, {len(report.scores)} frames): "
        f"PSNR {report.mean_psnr:.2f} dB  SSIM {report.mean_ssim:.4f}"
    )
    return 0
