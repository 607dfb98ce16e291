"""Make the README's screenshots (docs/screenshot.png at 1366x768, docs/screenshot-1920.png at 1920x1080) from a
real browser session of the app.

    .venv/bin/python -m scripts.screenshot [--out docs/screenshot.png] [--size 1366x768]

Starts the app in-process, opens it in Chromium (Playwright) at the window size given, loads the demo project, waits
for the playing preview's 17 frames and captures the window, the same way the browser tests drive it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from interp.models.paths import PROJECT_ROOT
from tests.app.conftest import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.app.helpers import expect_text, open_frames, wait_for_new_image, wait_idle
from ui.layout import build_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshot.png")
    parser.add_argument("--size", default="1366x768", help="window WIDTHxHEIGHT (default 1366x768)")
    args = parser.parse_args()
    demo = build_app()
    demo.queue()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            width, height = (int(v) for v in args.size.split("x"))
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.set_default_timeout(180_000)
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for_new_image(page, "preview", None)
            open_frames(page)
            page.locator("#demo-project").click()
            expect_text(page, "object-table", "badge")
            open_frames(page)  # folded away again
            expect_text(page, "animation", "Playing: 17 frames")
            wait_idle(page)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        demo.close()
    print(args.out)


if __name__ == "__main__":
    main()
