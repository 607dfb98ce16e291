"""Arguments and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from interp.core.progress import Progress
from interp.engine.interpolator import SCALES, Interpolator
from interp.errors import InputError
from interp.models.registry import DEFAULT_MODEL, interpolator_names, model_name

N = TypeVar("N", int, float)


def _checked_number(kind: type[N], accept: Callable[[N], bool], rule: str) -> Callable[[str], N]:
    """An argparse type: ``text`` as a finite ``kind`` for which ``accept`` holds, else an error saying ``rule``."""

    def parse(text: str) -> N:
        value = _number(text, kind)
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text!r}")
        return value

    return parse


#: argparse types of the numeric flags.
positive_int = _checked_number(int, lambda value: value >= 1, "an integer >= 1")
non_negative_int = _checked_number(int, lambda value: value >= 0, "an integer >= 0")
unit_float = _checked_number(float, lambda value: 0.0 <= value <= 1.0, "in [0, 1]")
non_negative_float = _checked_number(float, lambda value: value >= 0, "a number >= 0")
positive_float = _checked_number(float, lambda value: value > 0, "a number > 0")


def _number(text: str, kind: type[N]) -> N:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a{'n integer' if kind is int else ' number'}: {text!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def add_output_folder_args(parser: argparse.ArgumentParser) -> None:
    """--out (a folder) and --force (write into a non-empty one)."""
    parser.add_argument("--out", required=True, type=Path, help="output folder (must be new or empty unless --force)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty output folder")


def check_output_folder(out: Path, force: bool) -> None:
    """Refuse an --out that is a file, or a non-empty folder without --force (nothing of the user's is overwritten)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(f"output folder {out} is not empty; choose another or pass --force")


def add_model_args(parser: argparse.ArgumentParser, from_project: bool = False) -> None:
    """--model, --variant, --checkpoint, --iters, --scale, --device, --fp16, --batch-size.

    With ``from_project``, --model and --iters default to ``None`` (the project file decides).
    """
    group = parser.add_argument_group("model")
    default_model = None if from_project else DEFAULT_MODEL
    shown = "the project's model" if from_project else DEFAULT_MODEL
    group.add_argument(
        "--model",
        default=default_model,
        metavar="NAME",
        help=f"interpolation model (default {shown}); one of: {', '.join(interpolator_names())}",
    )
    group.add_argument(
        "--variant",
        type=str.upper,
        choices=("T", "D", "TR", "DR"),
        help="InterpAny-Clearer's spelling: --model AMT-S --variant DR is --model DR-AMT-S (families: RIFE, "
        "AMT-S, IFRNet, EMA-VFI)",
    )
    group.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="checkpoint file or model folder to use instead of searching checkpoints/ "
        "(e.g. checkpoints/AMT-S/DR-AMT-S)",
    )
    group.add_argument(
        "--iters",
        type=positive_int,
        default=None if from_project else 2,
        help="iterations of the reference-based estimation for the [R] models "
        f"(default {'the project' if from_project else 2})",
    )
    group.add_argument(
        "--scale",
        type=float,
        default=1.0,
        choices=SCALES,
        help="flow-estimation scale: 0.5 or 0.25 for 4K-ish frames, 2 for tiny ones (default 1)",
    )
    group.add_argument("--device", default=None, help="cpu or cuda[:N] (default: cuda when available)")
    group.add_argument("--fp16", action="store_true", help="half precision (CUDA only)")
    group.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="maps per network call (default: as many as the frame size allows)",
    )


def add_ray_args(parser: argparse.ArgumentParser) -> None:
    """--ray [ADDRESS], --ray-workers, --ray-cpus (Ray itself is imported only when --ray is given)."""
    group = parser.add_argument_group("Ray (scale out; see 'Scaling out' in the README)")
    group.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS",
        help="run on Ray: alone, start Ray on this machine; 'auto' joins the cluster started here with 'ray start'; "
        "HOST:PORT joins that cluster's head",
    )
    group.add_argument(
        "--ray-workers",
        type=positive_int,
        default=None,
        metavar="N",
        help="Ray workers (default: as many as the cluster's CPUs, or GPUs, allow)",
    )
    group.add_argument(
        "--ray-cpus",
        type=positive_float,
        default=1.0,
        metavar="C",
        help="CPUs (torch threads) per Ray worker (default 1)",
    )


def model_arg(args: argparse.Namespace) -> str | None:
    """The registry name --model (and --variant) name; ``None`` when neither is given (a project decides)."""
    if args.variant is None:
        return args.model
    if args.model is None:
        raise InputError(f"--variant {args.variant} needs --model (e.g. --model AMT-S --variant {args.variant})")
    return model_name(args.model, args.variant)


def load_interpolator(args: argparse.Namespace) -> Interpolator:
    """Build the interpolator the model arguments describe."""
    return Interpolator.load(model_arg(args), args.checkpoint, args.device, args.fp16, args.scale, args.batch_size)


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Progress]:
    """A tqdm bar (count, speed, ETA) driven by ``(done, total)`` callbacks (the engine's progress protocol).

    The bar appears with the first callback (so work that fails before it leaves only its error line), yet its clock
    starts when the block is entered (the first batch's time counts in the speed); its total grows if a later
    callback reports a larger one.
    """
    bar: tqdm | None = None
    started = time.time()  # tqdm's own clock

    def update(done: int, total: int) -> None:
        nonlocal bar
        if not enabled:
            return
        if bar is None:
            bar = tqdm(total=total, desc=description, unit="frame", dynamic_ncols=True)
            bar.start_t = bar.last_print_t = started
        if total > bar.total:  # an estimate (e.g. a video header's frame count) turned out short
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def expand_inputs(paths: Sequence[Path], suffixes: Sequence[str], what: str) -> list[Path]:
    """The inputs named on a command line: files as given, folders as their files with one of ``suffixes``
    (sorted by name); a folder without any is an error naming ``what`` it should hold."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
        if not inside:
            raise InputError(f"folder {path} holds no {what} ({', '.join(suffixes)})")
        found += inside
    return found
