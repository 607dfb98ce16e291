"""Make the README's screenshot (docs/screenshot.png) from a real browser session of the app.

    .venv/bin/python -m scripts.screenshot [--out docs/screenshot.png]

Starts the app in-process, opens it in Debian's chromium (Playwright), loads the demo project, moves the preview to
t = 0.6 and captures the page, the same way the browser tests drive it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from interp.paths import PROJECT_ROOT
from tests.app.conftest import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.app.helpers import expect_text, set_slider, wait_for_new_image
from ui.layout import build_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshot.png")
    args = parser.parse_args()
    demo = build_app()
    demo.queue()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
            page.set_default_timeout(180_000)
            page.goto(f"http://127.0.0.1:{port}/")
            preview = wait_for_new_image(page, "preview", None)
            page.locator("#demo-project").click()
            expect_text(page, "object-table", "badge")
            preview = wait_for_new_image(page, "preview", preview)
            set_slider(page, "time", 0.6)
            wait_for_new_image(page, "preview", preview)
            top = page.locator("#status").bounding_box()
            bottom = page.locator("#plot").bounding_box()
            clip = {"x": 0, "y": top["y"] - 8, "width": 1400, "height": bottom["y"] + bottom["height"] - top["y"] + 16}
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=True, clip=clip)
            browser.close()
    finally:
        demo.close()
    print(args.out)


if __name__ == "__main__":
    main()
