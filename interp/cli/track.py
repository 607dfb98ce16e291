"""``python -m interp track``: follow an object through a clip and write its mask on every frame."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from interp.cli.common import add_output_folder_args, add_ray_args, check_output_folder, progress_bar
from interp.errors import InputError
from interp.io.files import atomic_folder

if TYPE_CHECKING:
    from interp.clip.frames import ClipFrames

#: The files this command writes into --out (``mask_0000.png``…, one per clip frame).
MASK_PATTERN = "mask_{:04d}.png"


@dataclass
class Given:
    """The object on one clip frame, as the command line gives it: a mask file, or clicks and a box."""

    frame: int
    mask: Path | None = None
    points: list[tuple[float, float]] = field(default_factory=list)
    negatives: list[tuple[float, float]] = field(default_factory=list)
    box: tuple[float, float, float, float] | None = None


class _FrameAction(argparse.Action):
    """``--frame K`` opens a new given frame; the prompts after it belong to it."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: object, _: object = None
    ) -> None:
        namespace.given = [*(getattr(namespace, "given", None) or []), Given(int(value))]


class _PromptAction(argparse.Action):
    """``--mask``, ``--point``, ``--negative``, ``--box``: attach to the latest ``--frame``."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: object, _: object = None
    ) -> None:
        given = getattr(namespace, "given", None)
        if not given:
            parser.error(f"{self.option_strings[0]} must follow the --frame K it belongs to")
        last: Given = given[-1]
        if self.dest == "mask":
            last.mask = Path(str(value))
        elif self.dest == "point":
            last.points.append(tuple(value))  # type: ignore[arg-type]
        elif self.dest == "negative":
            last.negatives.append(tuple(value))  # type: ignore[arg-type]
        else:
            last.box = tuple(value)  # type: ignore[assignment]


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    from interp.cli.segment import coordinate
    from sam_utils.prompts import Backend

    parser.description = (
        "Follow an object through a clip: give it on a frame (a mask, or clicks and a box) and get its mask on "
        "every frame, forwards and backwards. Give it again on another frame (--frame K2 --mask …) where the "
        "tracker goes wrong: that frame wins and fixes the frames around it, up to halfway to the next given frame."
    )
    parser.add_argument(
        "--video", required=True, type=Path, help="the clip: a video file or a folder of PNG/JPEG frames"
    )
    parser.add_argument(
        "--frame",
        required=True,
        type=int,
        action=_FrameAction,
        dest="given",
        metavar="K",
        help="a clip frame (0-based) the object is given on; repeatable, each with its prompts",
    )
    parser.add_argument(
        "--mask",
        type=Path,
        action=_PromptAction,
        metavar="M.png",
        help="the object's mask on that frame (255 = object, the frame's size)",
    )
    parser.add_argument(
        "--point",
        nargs=2,
        type=coordinate,
        action=_PromptAction,
        metavar=("X", "Y"),
        help="a click on the object on that frame (pixels; repeatable)",
    )
    parser.add_argument(
        "--negative",
        nargs=2,
        type=coordinate,
        action=_PromptAction,
        metavar=("X", "Y"),
        help="a click on something that is not the object (repeatable)",
    )
    parser.add_argument(
        "--box",
        nargs=4,
        type=coordinate,
        action=_PromptAction,
        metavar=("X0", "Y0", "X1", "Y1"),
        help="a box around the object on that frame (with --point)",
    )
    parser.add_argument(
        "--backend",
        default=Backend.AUTO.value,
        choices=[b.value for b in Backend],
        help="segmenter for clicks: auto (SAM when its weights are found, else the fallback)",
    )
    parser.add_argument(
        "--refine",
        default="auto",
        choices=("auto", "sam", "none"),
        help="re-segment every followed frame with Segment Anything from the propagated mask: sam (its weights must "
        "be in checkpoints/), none, or auto (default): sam where its weights are found and a CUDA GPU is there "
        "(on a CPU it costs seconds per frame)",
    )
    add_output_folder_args(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_ray_args(parser)
    parser.set_defaults(func=run, given=None)


def check_given(given: list[Given]) -> None:
    """``InputError`` for a frame given twice, or a given frame with no prompt or with both a mask and clicks."""
    frames = [g.frame for g in given]
    for g in given:
        if frames.count(g.frame) > 1:
            raise InputError(f"frame {g.frame} is given more than once; give each frame once")
        if g.mask is None and not g.points:
            raise InputError(f"frame {g.frame} needs --mask M.png or at least one --point X Y on the object")
        if g.mask is not None and (g.points or g.negatives or g.box is not None):
            raise InputError(f"frame {g.frame} has both --mask and clicks: give one or the other")


def given_mask(clip: ClipFrames, g: Given, backend: str) -> np.ndarray:
    """The full-size bool mask of the object on frame ``g.frame``: read from ``g.mask`` or segmented from clicks."""
    from sam_utils.masks import read_mask_png
    from sam_utils.prompts import Box, Click, check_prompts
    from sam_utils.segmenter import make_segmenter

    if g.mask is not None:
        return read_mask_png(g.mask)
    image = clip.full(g.frame)
    neighbour = g.frame + 1 if g.frame + 1 < len(clip) else g.frame - 1
    next_image = clip.full(neighbour) if neighbour >= 0 else None
    clicks = [Click(x, y, True) for x, y in g.points] + [Click(x, y, False) for x, y in g.negatives]
    box = Box(*g.box) if g.box is not None else None
    check_prompts(clicks, box, image.shape[0], image.shape[1])
    return make_segmenter(backend).segment(image, clicks, box, next_image).mask


def wants_sam(choice: str) -> bool:
    """Whether ``--refine choice`` re-segments with SAM (``auto``: its weights are found and CUDA is there)."""
    if choice != "auto":
        return choice == "sam"
    from sam_utils.segmenter import sam_weights_present

    if not sam_weights_present():
        return False
    import torch

    return torch.cuda.is_available()


def run(args: argparse.Namespace) -> int:
    from interp.clip.frames import open_clip
    from interp.clip.tracker import check_given as check_given_masks
    from interp.clip.tracker import track
    from sam_utils.masks import write_mask_png

    given: list[Given] = args.given or []
    check_given(given)
    check_output_folder(args.out, args.force)
    with progress_bar("reading the clip", enabled=not args.quiet) as decoding:
        clip = open_clip(args.video, progress=decoding)
    with clip:
        for g in given:
            clip.check_index(g.frame)
        masks = {g.frame: given_mask(clip, g, args.backend) for g in given}
        check_given_masks(clip, masks)
        use_sam = wants_sam(args.refine)
        refine = None
        if use_sam and args.ray is None:
            from interp.clip.refine import refine_with
            from sam_utils.segmenter import make_segmenter

            segmenter = make_segmenter("sam")
            print(f"re-segmenting every frame with {segmenter.describe()}")
            refine = refine_with(segmenter)
        area = 0.0
        with atomic_folder(args.out, owned=["mask_*.png"]) as staging, progress_bar("tracking", not args.quiet) as bar:
            written = 0

            def write(index: int, mask: np.ndarray) -> None:
                nonlocal area, written
                write_mask_png(staging / MASK_PATTERN.format(index), mask)
                area += float(mask.mean())
                written += 1
                bar(written, len(clip))

            if args.ray is None:
                for index, mask in track(clip, masks, refine=refine):
                    write(index, mask)
            else:
                from interp.distributed.entry import track_on_ray

                for index, mask in masks.items():
                    write(index, mask)
                print(track_on_ray(args, args.video, len(clip), masks, write, use_sam))
    share = 100 * area / len(clip)
    print(f"wrote {len(clip)} masks to {args.out} (the object covers {share:.1f}% of a frame on average)")
    return 0
