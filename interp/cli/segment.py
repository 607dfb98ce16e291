"""``python -m interp segment``: click-to-segment one image (Segment Anything, or the offline fallback)."""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from interp.errors import InputError
from interp.io.images import read_image, write_image
from interp.models.registry import MODELS, Kind
from sam_utils.prompts import DEFAULT_SAM_MODEL, Backend, Box, Click, check_pair, check_prompts


def coordinate(text: str) -> float:
    """argparse type: a finite number (pixels)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    segmenters = [spec.name for spec in MODELS.values() if spec.kind == Kind.SEGMENTER]
    parser.description = (
        "Segment the object that positive clicks point at (negative clicks mark what is not it) and "
        "write a mask PNG (255 = object, 0 = background). Segment Anything is used when its checkpoint is found; "
        "otherwise a fallback that needs no weights uses colour and, with --next, the motion between the frames."
    )
    parser.add_argument("--image", required=True, type=Path, help="the image (frame 0) to segment")
    parser.add_argument("--next", type=Path, help="the next frame (same size): adds the motion cue to the fallback")
    parser.add_argument("--point", nargs=2, type=coordinate, action="append", default=[], metavar=("X", "Y"),
                        help="a click on the object, pixels from the top-left (repeatable; at least one)")  # fmt: skip
    parser.add_argument("--negative", nargs=2, type=coordinate, action="append", default=[], metavar=("X", "Y"),
                        help="a click on something that is not the object (repeatable)")  # fmt: skip
    parser.add_argument("--box", nargs=4, type=coordinate, metavar=("X0", "Y0", "X1", "Y1"),
                        help="a box around the object (pixels; x1 and y1 exclusive)")  # fmt: skip
    parser.add_argument(
        "--backend",
        default=Backend.AUTO.value,
        choices=[b.value for b in Backend],
        help="auto (default): SAM when its checkpoint is found, else the fallback",
    )
    parser.add_argument("--checkpoint", type=Path, help="a SAM checkpoint file instead of the official one")
    parser.add_argument(
        "--sam-model",
        default=DEFAULT_SAM_MODEL,
        choices=segmenters,
        help=f"which official SAM checkpoint to look for (default {DEFAULT_SAM_MODEL})",
    )
    parser.add_argument("--device", default=None, help="cpu or cuda[:N] for SAM (default: cuda when available)")
    parser.add_argument("--out", required=True, type=Path, help="the mask PNG to write")
    parser.add_argument("--overlay", type=Path, help="also write the image with the mask drawn over it (PNG)")
    parser.set_defaults(func=run)


def _check_outputs(args: argparse.Namespace) -> None:
    for flag, path in (("--out", args.out), ("--overlay", args.overlay)):
        if path is not None and path.suffix.lower() != ".png":
            raise InputError(f"{flag} must name a .png file, got {str(path)!r}")
        if path is not None and path.is_dir():
            raise InputError(f"{flag} {path} is a folder; name a .png file")


def run(args: argparse.Namespace) -> int:
    from sam_utils.masks import overlay, write_mask_png
    from sam_utils.segmenter import make_segmenter

    _check_outputs(args)
    if not args.point:
        raise InputError("at least one --point X Y on the object is needed")
    image = read_image(args.image)
    next_image = read_image(args.next) if args.next is not None else None
    check_pair(image, next_image)
    clicks = [Click(x, y, True) for x, y in args.point] + [Click(x, y, False) for x, y in args.negative]
    box = Box(*args.box) if args.box is not None else None
    check_prompts(clicks, box, image.shape[0], image.shape[1])
    segmenter = make_segmenter(args.backend, args.checkpoint, args.sam_model, args.device)
    started = time.perf_counter()
    result = segmenter.segment(image, clicks, box, next_image)
    elapsed = time.perf_counter() - started
    if args.overlay is not None:
        write_image(args.overlay, overlay(image, [result.mask]))
    write_mask_png(args.out, result.mask)
    share = 100.0 * result.mask.mean()
    print(f"backend: {segmenter.describe()}")
    print(f"score: {result.score:.3f}  mask: {share:.1f}% of the image  time: {elapsed:.2f} s  wrote {args.out}")
    return 0
