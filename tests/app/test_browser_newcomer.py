"""The page as a newcomer meets it on a laptop (1366x768, issue 23): every row of the images clickable, nothing lost
silently when frames change, an undo that can be trusted, honest progress, a curve editor without cliffs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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
PAIRS = "#object-pairs textarea, #object-pairs input"

#: Every message (toast) the page shows from now on, in order, kept in ``window.toasts`` as ``"info: text"`` (they fade
#: after a while). Gradio 6 groups messages by type: one that comes while another of its type is still shown is added
#: to that toast ("Info (2)"), so each message's own text element is recorded, not the toast.
RECORD_TOASTS = """() => {
  window.toasts = [];
  const seen = new WeakSet();
  const note = () => document.querySelectorAll('[data-testid=toast-body] [data-testid=toast-text]').forEach(text => {
    if (seen.has(text) || !text.innerText.trim()) return;
    seen.add(text);
    const body = text.closest('[data-testid=toast-body]');
    const type = ['error', 'warning', 'info', 'success'].find(name => body.classList.contains(name)) || '?';
    window.toasts.push(`${type}: ${text.innerText.trim()}`);
  });
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 1366, "height": 768}


@pytest.fixture
def laptop(page: Page) -> Page:
    """The page at 1366x768 with the demo scene shown, its first events over, and its messages recorded."""
    wait_for_new_image(page, "canvas", None)
    wait_idle(page)
    page.evaluate(RECORD_TOASTS)
    return page


def _toasts(page: Page, pattern: str) -> list[str]:
    return [text for text in page.evaluate("window.toasts") if re.search(pattern, text)]


def _wait_toasts(page: Page, pattern: str, count: int = 1) -> None:
    """Wait until ``count`` messages matching ``pattern`` have been shown."""
    try:
        page.wait_for_function(
            "([pattern, count]) => window.toasts.filter(t => new RegExp(pattern).test(t)).length >= count",
            arg=[pattern, count],
            timeout=60_000,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"{count} x {pattern!r} not among {page.evaluate('window.toasts')}") from None


def _mode(page: Page, name: str) -> None:
    page.locator("#mode").get_by_text(name, exact=True).click()


def _picture(page: Page, elem_id: str) -> np.ndarray:
    """The picture an image on the page shows, as the server sent it (``H x W x 3`` uint8)."""
    body = page.request.get(image_src(page, elem_id)).body()
    with Image.open(io.BytesIO(body)) as picture:
        return np.asarray(picture.convert("RGB"))


def _upload(page: Page, elem_id: str, path: Path) -> None:
    page.locator(f"#{elem_id} input[type=file]").set_input_files(str(path))


def _rows(page: Page) -> str:
    return page.locator("#object-table").inner_text()


def test_every_row_of_the_images_is_seen_and_clicked(laptop: Page) -> None:
    """Issue 23.1: the bottom rows of the three images hung below their frames; a click there hit the label below."""
    for elem_id in ("canvas", "preview", "animation"):
        shown = laptop.evaluate(
            """id => { const block = document.getElementById(id).getBoundingClientRect();
                const img = document.querySelector('#' + id + ' img'), box = img.getBoundingClientRect();
                const scale = Math.min(1, box.width / img.naturalWidth, box.height / img.naturalHeight);
                return [block.bottom, box.top + (box.height + img.naturalHeight * scale) / 2]; }""",
            elem_id,
        )
        assert shown[1] <= shown[0] + 0.5, (elem_id, shown)  # the picture's last row is inside its frame
    frame0 = read_image(DEMO / "frame0.png")
    height, width = frame0.shape[:2]
    _mode(laptop, "brush +")
    set_slider(laptop, "brush-radius", 2)
    wait_idle(laptop)
    targets = [(0, height - 1), (width // 2, height - 1), (width - 1, height - 1)]  # bottom corners, bottom row
    canvas = image_src(laptop, "canvas")
    for count, (x, y) in enumerate(targets, start=1):
        click_image_pixel(laptop, "canvas", x, y)
        expect_text(laptop, "object-table", f"{count} brush dabs")
        canvas = wait_for_new_image(laptop, "canvas", canvas)
        wait_idle(laptop)
    changed = np.abs(_picture(laptop, "canvas").astype(int) - frame0.astype(int)).sum(axis=2) > 0
    ys, xs = np.nonzero(changed)
    nearest = np.min([np.hypot(xs - x, ys - y) for x, y in targets], axis=0)
    assert nearest.max() <= 2 + 2 + 1.5  # every change is a dab (radius 2, outline 2) about a clicked pixel
    for x, y in targets:
        assert changed[y, x], (x, y)  # and every clicked pixel is painted


def test_undo_covers_curves_and_says_once_that_nothing_is_left(laptop: Page) -> None:
    """Issue 23.4: undo pressed 7 times after 3 dabs undid the dabs and stacked seven "nothing to undo" toasts."""
    _mode(laptop, "brush +")
    for count, x in enumerate((100, 200, 300), start=1):
        click_image_pixel(laptop, "canvas", x, 100)
        expect_text(laptop, "object-table", f"{count} brush dabs")
        wait_idle(laptop)
    menu = laptop.locator("#object-preset input")
    menu.click()
    menu.fill("reverse")
    menu.press("Enter")
    expect(laptop.locator(PAIRS)).to_have_value("0:1, 0.25:0.75, 0.5:0.5, 0.75:0.25, 1:0")
    wait_idle(laptop)
    laptop.locator("#undo").click()  # the curve first
    expect(laptop.locator(PAIRS)).to_have_value("0:0, 0.25:0.25, 0.5:0.5, 0.75:0.75, 1:1")
    wait_idle(laptop)
    for _ in range(7):
        laptop.locator("#undo").click()
    wait_idle(laptop)
    expect(laptop.locator("#object-table")).not_to_contain_text("brush dabs")
    laptop.wait_for_timeout(1_000)
    assert len(_toasts(laptop, "undo")) == 1, laptop.evaluate("window.toasts")
    assert _toasts(laptop, "undo")[0].endswith("nothing left to undo")


def test_replacing_a_frame_keeps_or_gives_back_the_objects(laptop: Page, tmp_path: Path) -> None:
    """Issue 23.2: a new upload of a frame wiped every object silently, even the same file again, for good."""
    click_image_pixel(laptop, "canvas", 150, 130)  # on the stone
    expect_text(laptop, "object-table", "object 1: 1 clicks")
    wait_idle(laptop)
    open_frames(laptop)
    _upload(laptop, "frame0", DEMO / "frame0.png")  # the same frame 0 again
    _wait_toasts(laptop, "its object was kept")
    wait_idle(laptop)
    expect_text(laptop, "object-table", "object 1: 1 clicks")
    canvas = image_src(laptop, "canvas")
    preview = wait_settled(laptop, "preview")
    _upload(laptop, "frame1", shared_path("data", "interpany-demo", "I1_1.png"))  # another frame 1: still kept
    wait_for_new_image(laptop, "preview", preview)
    wait_idle(laptop)
    expect_text(laptop, "object-table", "object 1: 1 clicks")
    _upload(laptop, "frame0", shared_path("data", "interpany-demo", "I1_0.png"))  # another frame 0: cleared, said
    _wait_toasts(laptop, "Undo brings back the old frames and objects")
    expect_text(laptop, "object-table", "No objects yet")
    canvas = wait_for_new_image(laptop, "canvas", canvas)
    wait_idle(laptop)
    laptop.locator("#undo").click()  # and Undo brings the object and the frames back, in the upload boxes too
    expect_text(laptop, "object-table", "object 1: 1 clicks")
    wait_for_new_image(laptop, "canvas", canvas)
    wait_settled(laptop, "frame0")
    shown = _picture(laptop, "frame0")
    assert np.array_equal(shown, read_image(DEMO / "frame0.png"))


def test_a_portrait_frame_1_is_letterboxed_or_cropped(laptop: Page, tmp_path: Path) -> None:
    """Issue 23.5: a 300x400 frame 1 was stretched to frame 0's 448x256 with no word about the distortion."""
    portrait = tmp_path / "portrait.png"
    Image.fromarray(np.full((400, 300, 3), 200, np.uint8)).save(portrait)
    open_frames(laptop)
    _upload(laptop, "frame1", portrait)
    _wait_toasts(laptop, "letterboxed from 300x400 .*black bars left and right")
    preview = wait_settled(laptop, "preview")
    set_slider(laptop, "time", 1.0)  # the still at t = 1 is frame 1 as the session uses it
    preview = wait_for_new_image(laptop, "preview", preview)
    wait_idle(laptop)
    boxed = _picture(laptop, "preview").astype(float)
    assert boxed.shape == (256, 448, 3)
    assert boxed[:, :110].mean() < 10  # black bars of (448 - 192) / 2 = 128 px, the picture undistorted between
    assert abs(boxed[:, 150:298].mean() - 200) < 10
    laptop.locator("#fit").get_by_text("crop to fill").click()
    _wait_toasts(laptop, "cropped from 300x400 .*cut top and bottom")
    wait_for_new_image(laptop, "preview", preview)
    wait_settled(laptop, "preview")
    assert abs(_picture(laptop, "preview").astype(float).mean() - 200) < 10  # filled: no bars


def test_a_file_that_is_not_an_image_leaves_frame_1_as_it_was(laptop: Page, tmp_path: Path) -> None:
    """Issue 23.9: after a non-image upload as frame 1 its box showed a broken icon, and the next good upload of
    frame 0 repeated the frame-1 warning."""
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    open_frames(laptop)
    _upload(laptop, "frame1", bad)
    _wait_toasts(laptop, "frame 1 is not a readable image")
    wait_idle(laptop)
    laptop.wait_for_function(
        "() => { const i = document.querySelector('#frame1 img'); return i && i.complete && i.naturalWidth > 0; }"
    )
    assert np.array_equal(_picture(laptop, "frame1"), read_image(DEMO / "frame1.png"))
    _upload(laptop, "frame0", shared_path("data", "interpany-demo", "I1_0.png"))
    canvas = wait_for_new_image(laptop, "canvas", None)
    wait_settled(laptop, "canvas")
    assert canvas is not None
    assert len(_toasts(laptop, "frame 1 is not a readable image")) == 1, laptop.evaluate("window.toasts")


def test_a_loaded_project_shows_its_frames_undoes_and_loads_again(laptop: Page, tmp_path: Path) -> None:
    """Issue 23.3: a loaded project left the old frames in the upload boxes, dropped the history, and the same file
    loaded again only after the file box was cleared."""
    scene = make_scene(31, 128, 224, num_objects=2, max_motion=12)
    session = Session()
    set_frames(session, scene.frame(0), scene.frame(1))
    x, y = scene.centres()[0]
    mask = scene.visible_masks()[0]
    click(session, x, y, True, lambda a, b, c, box=None: (mask, 1.0))
    set_curve(session, 0, Curve.preset("reverse"))
    path = tmp_path / "saved.json"
    path.write_text(project_json(to_project(session, num_frames=5, fps=8.0)))
    open_frames(laptop)
    _upload(laptop, "project-upload", path)
    _wait_toasts(laptop, "project loaded: 1 objects")
    expect_text(laptop, "object-table", "object 1")
    wait_idle(laptop)
    wait_settled(laptop, "frame0")
    assert np.array_equal(_picture(laptop, "frame0"), scene.frame(0))
    assert np.array_equal(_picture(laptop, "frame1"), scene.frame(1))
    laptop.locator("#undo").click()  # loading was one edit: undo gives back the demo scene, in the boxes too
    expect_text(laptop, "object-table", "No objects yet")
    wait_idle(laptop)
    wait_settled(laptop, "frame0")
    assert np.array_equal(_picture(laptop, "frame0"), read_image(DEMO / "frame0.png"))
    _upload(laptop, "project-upload", path)  # the same file again, nothing cleared by hand
    _wait_toasts(laptop, "project loaded: 1 objects", 2)
    expect_text(laptop, "object-table", "object 1")
    wait_idle(laptop)


def test_the_curve_editor_keeps_keyframes_apart_and_shows_round_values(laptop: Page) -> None:
    """Issue 23.7: a keyframe dragged onto its neighbour stopped at t = 0.49 beside 0.5 (a cliff, two handles on
    each other); the typed keyframes read 0.5:0.04998 and were cut off."""
    open_frames(laptop)
    laptop.locator("#demo-project").click()
    expect_text(laptop, "object-table", "badge")
    open_frames(laptop)
    wait_idle(laptop)
    keys = laptop.locator("#object-curve circle.ce-key")
    expect(keys).to_have_count(5)

    def centre(index: int) -> tuple[float, float]:
        box = keys.nth(index).bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    (x1, y1), (x2, _) = centre(1), centre(2)
    laptop.mouse.move(x1, y1)
    laptop.mouse.down()
    laptop.mouse.move((x1 + x2) / 2, y1 + 37, steps=4)
    laptop.mouse.move(x2 + 30, y1 + 37, steps=4)  # onto and past its neighbour, d somewhere in between
    laptop.mouse.up()
    wait_idle(laptop)
    text = laptop.locator(PAIRS).input_value()
    points = [tuple(float(v) for v in pair.split(":")) for pair in text.split(", ")]
    assert points[2][0] - points[1][0] >= 0.05 - 1e-9, text  # a gap, not a cliff
    assert all(re.fullmatch(r"\d(\.\d{1,3})?:\d(\.\d{1,3})?", pair) for pair in text.split(", ")), text
    assert np.hypot(*np.subtract(centre(1), centre(2))) >= 12  # the handles (radius 6) do not overlap
    wait_idle(laptop)
    times, distances = np.linspace(0, 1, 10).round(2), np.linspace(0.05, 1, 10).round(2)
    longest = ", ".join(f"{t:g}:{d:g}" for t, d in zip(times, distances, strict=True))
    box = laptop.locator(PAIRS)
    box.fill(longest)  # ten keyframes, each with two decimals
    box.press("Enter")
    expect(keys).to_have_count(10)
    fits = box.evaluate("e => e.scrollWidth <= e.clientWidth + 3 && e.scrollHeight <= e.clientHeight + 3")
    assert fits, box.input_value()  # the whole text is in sight


def test_the_playing_preview_never_flashes_empty(laptop: Page) -> None:
    """Issue 23.8: the playing preview drew nothing (a broken image) for a moment at every new GIF."""
    laptop.evaluate(
        """() => { window.empty = 0; window.swaps = new Set();
          const note = () => document.querySelectorAll('#animation img').forEach(
            i => window.swaps.add(i.getAttribute('src')));
          // every GIF the page is given (two may come within one animation frame), and at every frame whether
          // one that has loaded is in sight
          new MutationObserver(note).observe(document.querySelector('#animation'),
            {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
          const look = () => { const imgs = [...document.querySelectorAll('#animation img')];
            if (imgs.length) { note();
              if (!imgs.some(i => i.complete && i.naturalWidth > 0)) window.empty += 1; }
            requestAnimationFrame(look); };
          requestAnimationFrame(look); }"""
    )
    open_frames(laptop)
    laptop.locator("#demo-project").click()  # the preview plays 3, 5, 9, then 17 frames of the new edit
    expect_text(laptop, "animation", "Playing: 17 frames")
    laptop.wait_for_timeout(1_000)
    # 4 GIFs are sent (3, 5, 9, 17 frames); two that arrive within one update of the page show as one, so at least
    # one swap from one GIF to the next must have been seen for the check below to mean something
    assert laptop.evaluate("window.swaps.size") >= 2
    assert laptop.evaluate("window.empty") == 0


def test_render_progress_is_said_once_and_old_results_are_marked(laptop: Page) -> None:
    """Issue 23.6: two progress texts on top of each other; a cancelled render left the previous results looking
    like its own; a render with no objects did not say it is plain interpolation."""
    set_slider(laptop, "num-frames", 3)
    laptop.locator("#render").click()  # the demo scene has no objects yet
    expect_text(laptop, "summary", "Done: 3 frames", timeout=600_000)
    expect_text(laptop, "summary", "plain interpolation")
    wait_idle(laptop)
    set_slider(laptop, "num-frames", 40)
    laptop.evaluate(
        """() => { window.texts = []; const look = () => {
            window.texts.push(document.getElementById('summary').innerText); requestAnimationFrame(look); };
          look(); }"""
    )
    laptop.locator("#render").click()
    laptop.wait_for_function("() => /[1-9]\\/40 frames/.test(document.getElementById('summary').innerText)")
    laptop.locator("#cancel").click()
    expect_text(laptop, "summary", "Render cancelled; the results below are the previous render's.")
    for elem_id in ("video", "gif", "downloads"):
        expect_text(laptop, elem_id, "previous render")
    texts = laptop.evaluate("window.texts")
    assert max(len(re.findall("rendering", text)) for text in texts) == 1, sorted(set(texts))
