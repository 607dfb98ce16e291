"""The app end to end in a real browser (Debian's chromium via Playwright)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from interp.app.session import Session, click, set_curve, set_frames, to_project
from interp.core.curves import Curve
from interp.io.images import read_image
from interp.models.paths import PROJECT_ROOT
from interp.project.schema import project_json
from interp.testing.synthetic import make_scene
from tests.app.helpers import (
    click_image_pixel,
    expect_text,
    image_src,
    open_frames,
    set_slider,
    wait_for_new_image,
    wait_idle,
    wait_settled,
)
from tests.conftest import shared_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO = PROJECT_ROOT / "assets" / "demo"


def _object_centres() -> list[tuple[float, float]]:
    """Interior points of the demo objects (from their ground-truth masks)."""
    import cv2

    centres = []
    for name in ("stone", "tile", "badge"):
        mask = read_image(DEMO / f"mask_{name}.png")[:, :, 0] > 0
        distance = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
        y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
        centres.append((float(x), float(y)))
    return centres


def test_click_shape_preview_render_download(page, tmp_path: Path) -> None:
    canvas = wait_for_new_image(page, "canvas", None)  # the demo scene is preloaded
    open_frames(page)
    page.locator("#examples tbody tr").first.click()  # and offered as an example
    wait_idle(page)
    (stone, tile, _badge) = _object_centres()

    click_image_pixel(page, "canvas", *stone)
    expect_text(page, "object-table", "object 1")
    canvas = wait_for_new_image(page, "canvas", canvas)
    page.locator("#new-object").click()
    expect_text(page, "object-table", "object 2")
    click_image_pixel(page, "canvas", *tile)
    expect_text(page, "object-table", "1 clicks, ")
    canvas = wait_for_new_image(page, "canvas", canvas)
    table = page.locator("#object-table").inner_text()
    assert "object 1" in table
    assert "object 2" in table

    wait_idle(page)  # the click's own updates (canvas, sliders, plot, preview) have all arrived
    pairs = page.locator("#object-pairs input, #object-pairs textarea")
    pairs.fill("0:0, 0.5:0, 1:1")  # typed keyframes
    pairs.press("Enter")
    expect(page.locator("#object-curve circle.ce-key")).to_have_count(3)
    wait_idle(page)  # and the preview that follows the edit

    preview = wait_for_new_image(page, "preview", None)
    set_slider(page, "time", 0.8)
    wait_for_new_image(page, "preview", preview)

    set_slider(page, "num-frames", 7)
    page.locator("#render").click()
    expect_text(page, "summary", "Done: 7 frames", timeout=600_000)
    gif_link = page.locator("#downloads a[download='interp.gif']")
    with page.expect_download() as download:
        gif_link.click()
    path = tmp_path / "interp.gif"
    download.value.save_as(path)
    with Image.open(path) as gif:
        assert gif.n_frames == 7


def test_loading_a_saved_project_restores_the_session(page, tmp_path: Path) -> None:
    """A self-contained project (as the app saves it) restores frames, objects and curves."""
    scene = make_scene(31, 128, 224, num_objects=2, max_motion=12)
    session = Session()
    set_frames(session, scene.frame(0), scene.frame(1))
    for index, mask in enumerate(scene.visible_masks()):
        if index:
            session.selected = None
        x, y = scene.centres()[index]
        click(session, x, y, True, lambda a, b, c, box=None, m=mask: (m, 1.0))
    set_curve(session, 0, Curve.preset("reverse"))
    set_curve(session, None, Curve.preset("hold"))  # the background holds still
    path = tmp_path / "saved.json"
    path.write_text(project_json(to_project(session, num_frames=5, fps=8.0, iters=3)))

    wait_for_new_image(page, "canvas", None)
    wait_idle(page)
    canvas = image_src(page, "canvas")
    open_frames(page)
    page.locator("#project-upload input[type=file]").set_input_files(str(path))
    expect_text(page, "object-table", "object 2")
    wait_for_new_image(page, "canvas", canvas)
    expect(page.locator("#num-frames input[data-testid='number-input']")).to_have_value("5")
    page.get_by_role("button", name="Render settings").click()  # model, renderer, iterations: folded away
    expect(page.locator("#iters input[data-testid='number-input']")).to_have_value("3")
    # object 1 is selected and its curve is "reverse": d = 1 at t = 0, 0 at t = 1
    expect(page.locator("#object-pairs input, #object-pairs textarea")).to_have_value(
        "0:1, 0.25:0.75, 0.5:0.5, 0.75:0.25, 1:0"
    )
    expect(page.locator("#object-preset input")).to_have_value("reverse")
    # the background's keyframes and menu follow the project too
    page.get_by_role("button", name="Background curve").click()  # its accordion starts closed
    expect(page.locator("#background-pairs input, #background-pairs textarea")).to_have_value(
        "0:0, 0.25:0, 0.5:0, 0.75:0, 1:0"
    )
    expect(page.locator("#background-preset input")).to_have_value("hold")


def test_two_sessions_do_not_share_objects(browser, app_url: str) -> None:
    first, second = (browser.new_context(viewport={"width": 1400, "height": 1800}) for _ in range(2))
    try:
        page_a, page_b = first.new_page(), second.new_page()
        for page in (page_a, page_b):
            page.set_default_timeout(120_000)
            page.goto(app_url)
            wait_for_new_image(page, "canvas", None)
            wait_idle(page)
        stone = _object_centres()[0]
        click_image_pixel(page_a, "canvas", *stone)
        expect_text(page_a, "object-table", "object 1")
        page_b.locator("#new-object").click()
        expect_text(page_b, "object-table", "object 1: 0 clicks")
        expect_text(page_a, "object-table", "object 1: 1 clicks")
        page_b.reload()
        wait_for_new_image(page_b, "canvas", None)
        expect_text(page_b, "object-table", "No objects yet")
    finally:
        first.close()
        second.close()


def test_uploaded_photos_and_one_click_on_a_person(page) -> None:
    """Real photos through the upload boxes (InterpAny demo I1, 448 x 256): one click on the woman's face selects her
    whole (she turns her head as the camera pans; the fallback follows the optical flow), not just her cheek."""
    frames = [shared_path("data", "interpany-demo", name) for name in ("I1_0.png", "I1_1.png")]
    canvas = wait_for_new_image(page, "canvas", None)
    preview = wait_for_new_image(page, "preview", None)
    wait_idle(page)
    open_frames(page)
    page.locator("#frame0 input[type=file]").set_input_files(str(frames[0]))
    wait_for_new_image(page, "canvas", canvas)  # the click canvas shows frame 0
    preview = wait_for_new_image(page, "preview", preview)
    wait_idle(page)
    page.locator("#frame1 input[type=file]").set_input_files(str(frames[1]))
    wait_for_new_image(page, "preview", preview)  # the preview blends in the new frame 1
    wait_settled(page, "preview")  # and every update of both uploads has arrived (the session holds both frames)
    click_image_pixel(page, "canvas", 240, 90)
    expect_text(page, "object-table", "object 1: 1 clicks")
    area = int(re.search(r"1 clicks, (\d+) px", page.locator("#object-table").inner_text()).group(1))
    assert area >= 0.3 * 448 * 256  # the whole woman (about 41 % of the picture), not her cheek (4 %)
    wait_idle(page)  # the preview the click started finishes before the server is closed
