"""Browser-test fixtures: the real app served in-process on a free port, driven by Debian's chromium."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator

import pytest

from interp.app.preview import ModelPool
from interp.app.session import Session
from interp.testing.synthetic import make_scene
from sam_utils.segmenter import make_segmenter
from ui.handlers import App
from ui.layout import build_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app() -> App:
    """The page's handlers with the offline segmenter, for handler-level tests (no server, no browser)."""
    return build_page(ModelPool(), make_segmenter("fallback"))[1]


@pytest.fixture
def session(app: App) -> Session:
    """A session holding a synthetic 160x96 frame pair with two objects in it (none clicked yet)."""
    scene = make_scene(12, 96, 160, num_objects=2, max_motion=10)
    s = Session()
    app.load_frames(s, scene.frame(0), scene.frame(1))
    return s


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Start the app exactly as ``python app.py`` builds it, on a free local port."""
    from ui.layout import build_app, serve

    demo = build_app()
    port = free_port()
    serve(demo, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(scope="session")
def browser():
    if shutil.which("chromium") is None and not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is missing; `make browser` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The browser window of the ``page`` fixture (a test module may override it)."""
    return {"width": 1400, "height": 1800}


@pytest.fixture
def page(browser, app_url: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(app_url)
    yield page
    context.close()
