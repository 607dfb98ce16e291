"""``python -m interp COMMAND …``: one subcommand per module; errors become one line and exit status 2.

A command's module, and the engine or models it needs, is imported only when that command runs (or shows its own
``--help``), so ``python -m interp --help`` loads no model code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from interp import __version__
from interp.errors import InterpError

#: Every subcommand: the module whose ``register(parser)`` adds its arguments and ``func``, and its one-line help.
COMMANDS: dict[str, tuple[str, str]] = {
    "image": ("interp.cli.image", "interpolate two images"),
    "render": ("interp.cli.render", "render a project file (objects with their own distance curves)"),
    "video": ("interp.cli.video", "interpolate a video (streaming; cuts, repeats, frame rate, audio)"),
    "weights": ("interp.cli.weights", "list or fetch model weights"),
    "eval": ("interp.cli.evaluate", "measure PSNR and SSIM against ground truth"),
    "dataset": ("interp.cli.dataset", "prepare training data: distance-index maps"),
    "train": ("interp.cli.train", "train a T / D / TR / DR model on Vimeo-90K septuplets"),
    "segment": ("interp.cli.segment", "segment the object under some clicks into a mask PNG"),
    "track": ("interp.cli.track", "follow an object through a clip: its mask on every frame"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser; ``command``'s own arguments are added (its module imported) when it is given.

    Without ``command`` every subcommand is listed with its help line only, which is all the top-level ``--help``
    and finding out which command was asked for need.
    """
    parser = argparse.ArgumentParser(
        prog="python -m interp",
        description="Manipulated video frame interpolation: per-pixel distance maps, RIFE v4 and InterpAny-Clearer.",
    )
    parser.add_argument("--version", action="version", version=f"interp {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, add_help=name == command)
        if name == command:
            importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 bad input or missing weights, 130 interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen, _ = build_parser().parse_known_args(argv)
    args = build_parser(chosen.command).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InterpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; partial outputs were removed", file=sys.stderr)
        return 130
