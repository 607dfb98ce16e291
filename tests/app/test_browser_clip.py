"""The clip page in a browser at 1366x768: upload a small clip, click the object, track it, freeze it, see the
preview, render an MP4 and download it with the project."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from interp.io.decode import probe_video
from interp.testing.synthetic import make_clip
from interp.testing.video import write_video
from tests.app.helpers import click_image_pixel, expect_text, wait_for_new_image, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NUM_FRAMES = 12


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1366, "height": 768}


def _choose(page: Page, elem_id: str, value: str) -> None:
    menu = page.locator(f"#{elem_id} input")
    menu.click()
    menu.fill(value)
    menu.press("Enter")


def test_track_freeze_preview_render(page: Page, tmp_path: Path) -> None:
    clip = make_clip(1, NUM_FRAMES, 180, 320, num_objects=1, object_speed=3.0, pan=(1.0, 0.0))
    video = write_video(tmp_path / "race.mp4", [clip.frame(i) for i in range(NUM_FRAMES)], 12)
    ys, xs = np.nonzero(clip.masks(0)[0])
    wait_idle(page)
    page.get_by_role("tab", name="Clip").click()
    page.locator("#clip-upload input[type=file]").set_input_files(str(video))
    canvas = wait_for_new_image(page, "clip-canvas", None)
    expect_text(page, "clip-info", f"race.mp4: {NUM_FRAMES} frames")
    wait_idle(page)
    box = page.locator("#clip-canvas img").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 768  # the clip to click is on the laptop's screen

    click_image_pixel(page, "clip-canvas", float(np.median(xs)), float(np.median(ys)))
    wait_for_new_image(page, "clip-canvas", canvas)
    expect_text(page, "clip-track-status", "clicked on frames 0; press Track")
    wait_idle(page)
    strip = page.locator("#clip-strip img").get_attribute("src")
    page.locator("#clip-track").click()
    expect_text(page, "clip-track-status", "clicked on frames 0; tracked")
    wait_for_new_image(page, "clip-strip", strip)  # the strip shows the tracked masks
    wait_idle(page)

    _choose(page, "clip-object-preset", "freeze here")
    expect(page.locator("#clip-object-pairs input, #clip-object-pairs textarea")).to_have_value("0:0, 1:0")
    wait_for_new_image(page, "clip-preview", None)
    wait_for_new_image(page, "clip-animation", None)
    wait_idle(page)

    page.locator("#clip-render").click()
    expect_text(page, "clip-summary", f"Done: {NUM_FRAMES} frames at 320x180", timeout=300_000)
    wait_idle(page)
    for name in ("interp.mp4", "project.json"):
        with page.expect_download() as download:
            page.locator(f"#clip-downloads a[download='{name}']").click()
        download.value.save_as(tmp_path / name)
    assert probe_video(tmp_path / "interp.mp4").width == 320
    document = json.loads((tmp_path / "project.json").read_text())
    assert document["version"] == 2
    assert document["video"] == "race.mp4"
    assert document["objects"][0]["curve"] == [[0.0, 0.0], [1.0, 0.0]]
