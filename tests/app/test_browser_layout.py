"""The app on a laptop (1366x768): the working loop on one screen, the curve editor dragged, the preview that plays."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.app.helpers import expect_text, image_src, open_frames, set_slider, wait_for_new_image, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOOP = ("canvas", "mode", "brush-radius", "objects", "object-curve", "preview", "animation", "time", "render")


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1366, "height": 768}


@pytest.fixture
def laptop(page: Page) -> Page:
    """The page in a 1366x768 window, once the preloaded demo scene is shown and its preview plays in full (the
    animation shows no progress, so ``wait_idle`` does not wait for it: one still growing may show a GIF of the old
    edit after a test's edit has started the new one)."""
    wait_for_new_image(page, "canvas", None)
    wait_idle(page)
    _wait_playing(page, 17)
    return page


def _load_demo_project(page: Page) -> None:
    open_frames(page)
    page.locator("#demo-project").click()
    expect_text(page, "object-table", "badge")
    open_frames(page)  # fold it away again
    wait_idle(page)


def _keys(page: Page, elem_id: str = "object-curve"):
    return page.locator(f"#{elem_id} circle.ce-key")


def _centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _gif_frames(page: Page) -> int:
    """Frames in the GIF the playing preview shows."""
    body = page.request.get(image_src(page, "animation")).body()
    with Image.open(io.BytesIO(body)) as gif:
        return gif.n_frames


def _wait_playing(page: Page, frames: int) -> None:
    expect_text(page, "animation", f"Playing: {frames} frames")
    page.wait_for_function("() => { const i = document.querySelector('#animation img'); return i && i.complete; }")


def test_the_working_loop_fits_a_laptop_screen(laptop: Page) -> None:
    _load_demo_project(laptop)
    assert laptop.evaluate("window.scrollY") == 0
    for elem_id in LOOP:
        box = laptop.locator(f"#{elem_id}").bounding_box()
        assert box is not None, elem_id
        assert min(box["x"], box["y"]) >= 0, (elem_id, box)
        assert box["x"] + box["width"] <= 1366, (elem_id, box)
        assert box["y"] + box["height"] <= 768, (elem_id, box)
    # the frames / demo / project section is folded away again
    expect(laptop.locator("#project-upload")).to_be_hidden()


def test_drag_add_and_remove_keyframes(laptop: Page, tmp_path: Path) -> None:
    _load_demo_project(laptop)  # stone is selected; its curve is "arrive early" (5 keyframes)
    expect(_keys(laptop)).to_have_count(5)
    expect(laptop.locator("#object-pairs textarea, #object-pairs input")).to_have_value(
        "0:0, 0.25:0.5, 0.5:1, 0.75:1, 1:1"
    )
    _wait_playing(laptop, 17)
    preview, animation = image_src(laptop, "preview"), image_src(laptop, "animation")
    set_slider(laptop, "time", 0.5)  # where the drag below changes the stone's place
    preview = wait_for_new_image(laptop, "preview", preview)

    # drag the keyframe at (0.5, 1) down to d = 0: the curve, the typed keyframes, the preview and the animation follow
    x, y = _centre(_keys(laptop).nth(2))
    _x0, y0 = _centre(_keys(laptop).nth(0))  # d = 0
    laptop.mouse.move(x, y)
    laptop.mouse.down()
    laptop.mouse.move(x, (y + y0) / 2, steps=4)
    laptop.mouse.move(x, y0 + 30, steps=4)  # past the bottom: d is clamped to 0
    laptop.mouse.up()
    expect(laptop.locator("#object-pairs input, #object-pairs textarea")).to_have_value(
        "0:0, 0.25:0.5, 0.5:0, 0.75:1, 1:1"
    )
    expect(laptop.locator("#object-preset input")).to_have_value("")  # no preset is that curve
    wait_for_new_image(laptop, "preview", preview)
    wait_for_new_image(laptop, "animation", animation)
    _wait_playing(laptop, 17)

    # click on the plot between t = 0.75 and 1 to add a keyframe; double-click it to remove it again
    (x3, _), (x4, y4) = _centre(_keys(laptop).nth(3)), _centre(_keys(laptop).nth(4))
    laptop.mouse.click((x3 + x4) / 2, y4 + 40)
    expect(_keys(laptop)).to_have_count(6)
    pairs = laptop.locator("#object-pairs input, #object-pairs textarea").input_value()
    assert pairs.startswith("0:0, 0.25:0.5, 0.5:0, 0.75:1, 0.8")
    assert pairs.endswith(", 1:1")
    wait_idle(laptop)
    laptop.mouse.dblclick(*_centre(_keys(laptop).nth(4)))
    expect(_keys(laptop)).to_have_count(5)
    wait_idle(laptop)
    # the end keyframes stay: double-clicking one is refused with a message, the curve unchanged
    laptop.mouse.dblclick(*_centre(_keys(laptop).nth(0)))
    expect(laptop.get_by_text("the keyframes at t = 0 and t = 1 stay").first).to_be_visible()
    expect(_keys(laptop)).to_have_count(5)

    # the render follows the dragged curve: 5 frames, frame 3 (t = 0.5) has the stone back at its frame-0 place
    laptop.locator("#num-frames input[data-testid='number-input']").fill("5")
    laptop.locator("#num-frames input[data-testid='number-input']").press("Enter")
    laptop.locator("#render").click()
    expect_text(laptop, "summary", "Done: 5 frames", timeout=600_000)
    with laptop.expect_download() as download:
        laptop.locator("#downloads a[download='project.json']").click()
    path = tmp_path / "project.json"
    download.value.save_as(path)
    project = json.loads(path.read_text())
    expected = [0.0, 0.0, 0.25, 0.5, 0.5, 0.0, 0.75, 1.0, 1.0, 1.0]
    assert [value for pair in project["objects"][0]["curve"] for value in pair] == pytest.approx(expected, abs=1e-3)
    with laptop.expect_download() as download:
        laptop.locator("#downloads a[download='interp.gif']").click()
    download.value.save_as(tmp_path / "interp.gif")
    with Image.open(tmp_path / "interp.gif") as gif:
        assert gif.n_frames == (8 if project["loop"] == "there-and-back" else 5)  # the demo plays there and back


def test_the_animation_grows_and_follows_a_preset(laptop: Page) -> None:
    _load_demo_project(laptop)
    seen: list[int] = []  # the frame counts the playing preview showed, as they came
    while not seen or seen[-1] != 17:
        label = laptop.locator("#animation").inner_text()
        if "Playing: " in label:
            count = int(label.split("Playing: ")[1].split()[0])
            if not seen or seen[-1] != count:
                seen.append(count)
        laptop.wait_for_timeout(50)
    assert len(seen) >= 2, seen  # at least one smaller GIF came first
    assert seen == sorted(seen), seen
    _wait_playing(laptop, 17)
    assert _gif_frames(laptop) == 17
    before = image_src(laptop, "animation")
    menu = laptop.locator("#object-preset input")
    menu.click()
    menu.fill("reverse")
    menu.press("Enter")
    # the curve is reverse's and the animation restarts with it (the still's time: tests/app/test_handlers.py)
    expect(laptop.locator("#object-pairs input, #object-pairs textarea")).to_have_value(
        "0:1, 0.25:0.75, 0.5:0.5, 0.75:0.25, 1:0"
    )
    wait_for_new_image(laptop, "animation", before)
    _wait_playing(laptop, 17)
    assert _gif_frames(laptop) == 17
