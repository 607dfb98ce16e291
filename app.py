"""interp's web app: click objects, shape their distance curves, preview, render, download.

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--max-job-megapixels 250] [--monitoring]

The page is built by ``ui.layout.build_app``; this file only parses the command line and starts the server.
"""

from __future__ import annotations

import argparse

from interp.limits import DEFAULT_MAX_JOB_MEGAPIXELS
from ui.layout import build_app, serve
from ui.lifecycle import manage_temp_folders


def main(argv: list[str] | None = None) -> None:
    """Start the app (models load on first use; the demo scene is preloaded)."""
    parser = argparse.ArgumentParser(description="interp web app")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--share", action="store_true", help="also create a public gradio.live link (off by default)")
    parser.add_argument(
        "--max-job-megapixels",
        type=float,
        default=DEFAULT_MAX_JOB_MEGAPIXELS,
        help=f"bound on one render, frames x pixels per frame, in megapixels (default {DEFAULT_MAX_JOB_MEGAPIXELS:g})",
    )
    parser.add_argument(
        "--monitoring",
        action="store_true",
        help="serve Gradio's /monitoring pages (off by default: they need no login)",
    )
    args = parser.parse_args(argv)
    if not args.max_job_megapixels > 0:
        parser.error(f"--max-job-megapixels must be > 0, got {args.max_job_megapixels:g}")
    removed = manage_temp_folders()
    if removed:
        print(f"removed {len(removed)} temporary folders left by earlier runs")
    demo = build_app(max_job_megapixels=args.max_job_megapixels)
    serve(
        demo,
        monitoring=args.monitoring,
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        show_error=True,
    )


if __name__ == "__main__":
    main()
