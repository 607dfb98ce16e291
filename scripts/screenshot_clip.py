"""Make the README's screenshot of the clip page (docs/app-clip.png at 1366x768) from a real browser session.

    .venv/bin/python -m scripts.screenshot_clip [--out docs/app-clip.png]

Writes a generated 16-frame clip (``interp.testing.synthetic.make_clip``), starts the app in-process, opens the clip
tab in Chromium, uploads the clip, clicks one object, tracks it, scrubs to frame 8, freezes the object there, waits
for both previews and captures the window, the way ``tests/app/test_browser_clip.py`` drives it.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from interp.models.paths import PROJECT_ROOT
from interp.testing.synthetic import make_clip
from interp.testing.video import write_video
from tests.app.conftest import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.app.helpers import click_image_pixel, expect_text, set_slider, wait_for_new_image, wait_idle
from ui.layout import build_app, serve

NUM_FRAMES = 16


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "app-clip.png")
    args = parser.parse_args()
    clip = make_clip(2, NUM_FRAMES, 270, 480, num_objects=2, object_speed=8.0, pan=(1.0, 0.0))
    ys, xs = np.nonzero(clip.masks(0)[1])
    demo = build_app()
    port = free_port()
    serve(demo, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
            video = write_video(Path(folder) / "race.mp4", [clip.frame(i) for i in range(NUM_FRAMES)], 12)
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768}, device_scale_factor=1)
            page.set_default_timeout(180_000)
            page.goto(f"http://127.0.0.1:{port}/")
            wait_idle(page)
            page.get_by_role("tab", name="Clip").click()
            page.locator("#clip-upload input[type=file]").set_input_files(str(video))
            canvas = wait_for_new_image(page, "clip-canvas", None)
            wait_idle(page)
            click_image_pixel(page, "clip-canvas", float(np.median(xs)), float(np.median(ys)))
            wait_for_new_image(page, "clip-canvas", canvas)
            wait_idle(page)
            page.locator("#clip-track").click()
            expect_text(page, "clip-track-status", "tracked")
            wait_idle(page)
            set_slider(page, "clip-frame", 8)
            wait_idle(page)
            menu = page.locator("#clip-object-preset input")
            menu.click()
            menu.fill("freeze here")
            menu.press("Enter")
            wait_for_new_image(page, "clip-preview", None)
            wait_for_new_image(page, "clip-animation", None)
            wait_idle(page)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        demo.close()
    print(args.out)


if __name__ == "__main__":
    main()
