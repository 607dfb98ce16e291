"""Small Playwright helpers for the Gradio page."""

from __future__ import annotations

import json
import time
from contextlib import suppress

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout


def image_src(page: Page, elem_id: str) -> str | None:
    """The ``src`` of the image shown in a ``gr.Image`` (None when empty)."""
    img = page.locator(f"#{elem_id} img")
    return img.first.get_attribute("src") if img.count() else None


def wait_for_new_image(page: Page, elem_id: str, old: str | None, timeout: float = 120_000) -> str:
    """Wait until the image in ``elem_id`` is present and differs from ``old``; return its new ``src``."""
    page.wait_for_function(
        "([id, old]) => { const i = document.querySelector(`#${id} img`); return i && i.complete && "
        "i.naturalWidth > 0 && i.getAttribute('src') !== old; }",
        arg=[elem_id, old],
        timeout=timeout,
    )
    return image_src(page, elem_id)


def click_image_pixel(page: Page, elem_id: str, x: float, y: float) -> None:
    """Click the pixel (x, y) of the image shown in ``elem_id`` (scaled to how the page displays it)."""
    img = page.locator(f"#{elem_id} img").first
    box = img.bounding_box()
    natural = json.loads(img.evaluate("i => JSON.stringify([i.naturalWidth, i.naturalHeight])"))
    # the picture is fitted inside the element, never enlarged, centred: letterboxed when their shapes differ
    scale = min(1.0, box["width"] / natural[0], box["height"] / natural[1])  # object-fit: scale-down
    left = box["x"] + (box["width"] - natural[0] * scale) / 2
    top = box["y"] + (box["height"] - natural[1] * scale) / 2
    page.mouse.click(left + (x + 0.5) * scale, top + (y + 0.5) * scale)


def set_slider(page: Page, elem_id: str, value: float) -> None:
    """Type a value into a slider's number box and commit it, as a user would."""
    box = page.locator(f"#{elem_id} input[data-testid='number-input']")
    box.fill(str(value))
    box.press("Enter")
    box.blur()


def expect_text(page: Page, elem_id: str, text: str, timeout: float = 120_000) -> None:
    expect(page.locator(f"#{elem_id}")).to_contain_text(text, timeout=timeout)


BUSY = "[data-testid=status-tracker].pending, [data-testid=status-tracker].generating"


def wait_idle(page: Page, timeout: float = 120_000) -> None:
    """Wait for the events just triggered to start (up to 5 s) and then for every one of them to finish."""
    with suppress(PlaywrightTimeout):  # it may already be over
        page.wait_for_function(f"() => document.querySelectorAll('{BUSY}').length > 0", timeout=5_000)
    page.wait_for_function(f"() => document.querySelectorAll('{BUSY}').length === 0", timeout=timeout)


def wait_settled(page: Page, elem_id: str, quiet_ms: int = 2_000, timeout: float = 120_000) -> str | None:
    """Wait until nothing is pending and the image in ``elem_id`` has kept its ``src`` for ``quiet_ms``: on a busy
    machine an earlier event's late update can otherwise pass for the one a test is waiting for."""
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        wait_idle(page, timeout)
        before = image_src(page, elem_id)
        page.wait_for_timeout(quiet_ms)
        if image_src(page, elem_id) == before and not page.evaluate(f"document.querySelectorAll('{BUSY}').length"):
            return before
    raise AssertionError(f"#{elem_id} kept changing for {timeout / 1000:g} s")


def open_frames(page: Page) -> None:
    """Unfold the frames / demo / project section (closed by default: the demo scene is preloaded)."""
    page.get_by_role("button", name="Frames, demo scene and projects").click()
