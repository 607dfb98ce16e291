"""``python -m interp COMMAND …``: one subcommand per module; errors become one line and exit status 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from interp import __version__
from interp.cli import dataset, evaluate, image, render, segment, train, video, weights
from interp.errors import InterpError

#: Subcommand modules; each has ``register(subparsers)`` that sets ``func`` on its parser.
COMMANDS = (image, render, video, weights, evaluate, dataset, train, segment)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m interp",
        description="Manipulated video frame interpolation: per-pixel distance maps, RIFE v4 and InterpAny-Clearer.",
    )
    parser.add_argument("--version", action="version", version=f"interp {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 bad input or missing weights, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InterpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; partial outputs were removed", file=sys.stderr)
        return 130
