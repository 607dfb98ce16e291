"""``python -m interp eval``: PSNR / SSIM (and LPIPS when its weights exist) against ground truth (triplets or
Vimeo-90K septuplets)."""

from __future__ import annotations

import argparse
from pathlib import Path

from interp.cli.common import add_model_args, add_ray_args, load_interpolator, positive_int, progress_bar
from interp.errors import InputError
from interp.research.evaluate import Report, discover, evaluate
from interp.research.lpips import LPIPS, unavailable_reason
from interp.research.maps import REFERENCE_BLUR, MapOptions, check_blur


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    parser.description = (
        "Evaluate a model on <seq>/{frame0,gt,frame1}.png triplets (gt at t = 0.5) or on Vimeo-90K "
        "septuplets <seq>/im1..im7.png ((im1, im7) -> im2..im6 at t = k/6, with dis_index_0_k_6.npy maps when "
        "present, resized to the frames, clipped to [0, 1] and blurred). Outputs are quantised to 8 bits before "
        "scoring. LPIPS is added when its weights are in checkpoints/."
    )
    parser.add_argument("--data", required=True, type=Path, help="dataset folder")
    parser.add_argument(
        "--uniform", action="store_true", help="septuplets: use uniform maps (t = k/6) even where distance maps exist"
    )
    parser.add_argument(
        "--blur",
        type=blur_kernel,
        default=REFERENCE_BLUR,
        metavar="K",
        help=f"Gaussian blur (K x K) of distance maps, as the reference benchmark's --blur (default {REFERENCE_BLUR}; "
        "0 = none)",
    )
    parser.add_argument("--limit", type=positive_int, metavar="N", help="evaluate only the first N samples")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample's figures")
    add_model_args(parser)
    add_ray_args(parser)
    parser.set_defaults(func=run)


def blur_kernel(text: str) -> int:
    """argparse type: 0 or an odd Gaussian kernel size >= 3."""
    try:
        return check_blur(int(text))
    except (ValueError, InputError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def print_report(report: Report, verbose: bool, lpips_note: str | None) -> None:
    """Per-frame lines (verbose), per-position means and the LPIPS note; not the summary line."""
    if verbose:
        for score in report.scores:
            perceptual = "" if score.lpips is None else f"  LPIPS {score.lpips:.4f}"
            print(f"{score.sample:>24}  t={score.t:.3f}  PSNR {score.psnr:6.2f} dB  SSIM {score.ssim:.4f}{perceptual}")
    positions = report.by_position()
    perceptual_by_t = report.lpips_by_position()
    if len(positions) > 1:
        for t, (p, s) in positions.items():
            perceptual = f"  LPIPS {perceptual_by_t[t]:.4f}" if t in perceptual_by_t else ""
            print(f"t={t:.3f}: PSNR {p:.2f} dB  SSIM {s:.4f}{perceptual}")
    if lpips_note is not None:
        print(f"LPIPS: unavailable ({lpips_note})")


def run(args: argparse.Namespace) -> int:
    samples = discover(args.data, uniform=args.uniform)[: args.limit]
    map_options = MapOptions(blur=args.blur)
    where = None
    if args.ray is not None:
        from interp.distributed.entry import eval_on_ray  # Ray only with --ray

        with progress_bar("evaluating", enabled=not args.verbose) as progress:
            report, model, where = eval_on_ray(args, samples, map_options, progress)
    else:
        interpolator = load_interpolator(args)
        model = interpolator.spec.name
        lpips = LPIPS.from_checkpoints()
        if lpips is not None:
            lpips = lpips.to(interpolator.device)
        with progress_bar("evaluating", enabled=not args.verbose) as progress:
            report = evaluate(
                interpolator, samples, iters=args.iters, progress=progress, map_options=map_options, lpips=lpips
            )
    print_report(report, args.verbose, None if report.mean_lpips is not None else unavailable_reason())
    perceptual = "" if report.mean_lpips is None else f"  LPIPS {report.mean_lpips:.4f}"
    print(
        f"{model} on {args.data} ({len(samples)} samples, {len(report.scores)} frames): "
        f"PSNR {report.mean_psnr:.2f} dB  SSIM {report.mean_ssim:.4f}{perceptual}"
    )
    if where is not None:
        print(where)
    return 0
