"""The mask tools in a real browser: a box from two corner clicks, a brush that adds and erases, and undo."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from interp.io.images import read_image
from interp.models.paths import PROJECT_ROOT
from tests.app.helpers import click_image_pixel, expect_text, set_slider, wait_for_new_image, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STONE = PROJECT_ROOT / "assets" / "demo" / "mask_stone.png"
ROW = re.compile(r"object 1: (\d+) clicks(, box)?(?:, (\d+) brush dabs)?, (\d+) px")


def _first_row(page) -> tuple[int, bool, int, int]:
    """(clicks, has a box, brush dabs, area in px) of object 1 in the object list."""
    found = ROW.search(page.locator("#object-table").inner_text())
    assert found, page.locator("#object-table").inner_text()
    return int(found.group(1)), bool(found.group(2)), int(found.group(3) or 0), int(found.group(4))


def _mode(page, name: str) -> None:
    page.locator("#mode").get_by_text(name, exact=True).click()


def test_box_then_brush_add_and_erase_then_undo(page) -> None:
    canvas = wait_for_new_image(page, "canvas", None)  # the demo scene is preloaded
    wait_idle(page)
    mask = read_image(STONE)[:, :, 0] > 0
    ys, xs = np.nonzero(mask)
    centre = (float(np.median(xs)), float(np.median(ys)))

    _mode(page, "box (2 corners)")
    click_image_pixel(page, "canvas", xs.min() - 3, ys.min() - 3)
    canvas = wait_for_new_image(page, "canvas", canvas)  # the first corner is marked
    wait_idle(page)
    click_image_pixel(page, "canvas", xs.max() + 3, ys.max() + 3)
    expect_text(page, "object-table", "object 1: 0 clicks, box")
    canvas = wait_for_new_image(page, "canvas", canvas)
    clicks, boxed, dabs, boxed_area = _first_row(page)
    assert (clicks, boxed, dabs) == (0, True, 0)
    assert boxed_area > 0.5 * mask.sum()  # the box alone found the stone
    wait_idle(page)

    _mode(page, "brush −")
    set_slider(page, "brush-radius", 10)
    click_image_pixel(page, "canvas", *centre)
    expect_text(page, "object-table", "1 brush dabs")
    erased_area = _first_row(page)[3]
    assert boxed_area - 400 < erased_area < boxed_area  # a radius-10 disk is about 314 px
    wait_idle(page)

    _mode(page, "brush +")
    click_image_pixel(page, "canvas", 5, 5)  # far from the stone: paints a new patch
    expect_text(page, "object-table", "2 brush dabs")
    assert _first_row(page)[3] > erased_area
    wait_idle(page)

    page.locator("#undo").click()
    expect_text(page, "object-table", "1 brush dabs")
    assert _first_row(page)[3] == erased_area
    wait_idle(page)
    page.locator("#undo").click()
    expect(page.locator("#object-table")).not_to_contain_text("brush dabs", timeout=120_000)
    assert _first_row(page)[1:] == (True, 0, boxed_area)
    wait_idle(page)


def test_an_outline_snaps_around_the_stone_and_the_edge_brush_erases_whole_patches(page) -> None:
    canvas = wait_for_new_image(page, "canvas", None)  # the demo scene is preloaded
    wait_idle(page)
    mask = read_image(STONE)[:, :, 0] > 0
    ys, xs = np.nonzero(mask)
    # five points a little off the stone's extremes, then the first one again to close the outline
    top, bottom = int(np.argmin(ys)), int(np.argmax(ys))
    left, right = int(np.argmin(xs)), int(np.argmax(xs))
    points = [(xs[top], ys[top] - 1), (xs[right] + 1, ys[right]), (xs[bottom], ys[bottom] + 1),
              (xs[left] - 1, ys[left]), (xs[top] + 1, ys[top] - 1)]  # fmt: skip
    _mode(page, "outline")
    for x, y in points[:-1]:
        click_image_pixel(page, "canvas", x, y)
        canvas = wait_for_new_image(page, "canvas", canvas)  # each point and its snapped path are drawn
        wait_idle(page)
    click_image_pixel(page, "canvas", *points[-1])
    expect_text(page, "object-table", "1 outline / edge edits")
    outlined = int(re.search(r"(\d+) px", page.locator("#object-table").inner_text()).group(1))
    assert 0.8 * mask.sum() < outlined < 1.25 * mask.sum()  # the outline followed the stone, not the 4-gon
    wait_idle(page)

    _mode(page, "edge brush −")
    click_image_pixel(page, "canvas", float(np.median(xs)), float(np.median(ys)))
    expect_text(page, "object-table", "2 outline / edge edits")
    erased = int(re.search(r"(\d+) px", page.locator("#object-table").inner_text()).group(1))
    assert erased < outlined
    wait_idle(page)
    page.locator("#undo").click()
    expect_text(page, "object-table", "1 outline / edge edits")
    wait_idle(page)  # nothing left running when the server stops
