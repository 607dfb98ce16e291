"""A render shares the model with every session's previews: it holds the inference lock per network call, never
while it writes or encodes files, and a preview asked for meanwhile is served between two of its frames."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

import interp.io.outputs
from interp.app.locks import FairLock, hold_per_step
from interp.app.preview import PreviewCache
from interp.app.session import Session
from interp.app.workspace import Workspace
from interp.io.encode import FfmpegWriter
from ui.handlers import App, friendly
from ui.panels import AUTO


def _render(app: App, session: Session, workspace: Workspace, num_frames: int):
    return friendly(app.render)(session, workspace, num_frames, 10, "forward", "rife-v4", AUTO, 2, "working size")


def test_a_fair_lock_serves_callers_in_arrival_order() -> None:
    lock, order = FairLock(), []
    lock.acquire()
    waiter = threading.Thread(target=lambda: (lock.acquire(), order.append("waiter"), lock.release()))
    waiter.start()
    while lock.waiting() < 1:
        time.sleep(0.001)
    lock.release()
    lock.acquire()  # the releasing thread asks again at once (a render's next frame): the waiter goes first
    order.append("holder")
    lock.release()
    waiter.join(5)
    assert order == ["waiter", "holder"]
    assert not lock.locked()
    with pytest.raises(RuntimeError, match="unlocked"):
        lock.release()


def test_hold_per_step_holds_the_lock_only_while_an_item_is_made() -> None:
    lock, held = FairLock(), []

    def items():
        for value in range(3):
            held.append(lock.locked())
            yield value

    for _ in hold_per_step(items(), lock):
        assert not lock.locked()
    assert held == [True, True, True]


def test_files_are_written_and_encoded_without_the_model(
    app: App, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    write_image, write_frame = interp.io.outputs.write_image, FfmpegWriter.write

    def watched_image(path: Path, frame: np.ndarray) -> Path:
        seen.append(app.pool.lock.locked())
        return write_image(path, frame)

    def watched_frame(writer: FfmpegWriter, frame: np.ndarray) -> None:
        seen.append(app.pool.lock.locked())
        write_frame(writer, frame)

    monkeypatch.setattr(interp.io.outputs, "write_image", watched_image)
    monkeypatch.setattr(FfmpegWriter, "write", watched_frame)
    workspace = Workspace()
    try:
        list(_render(app, session, workspace, 3))
    finally:
        workspace.cleanup()
    assert len(seen) == 3 + 2 * 3  # three PNGs, then each frame into the GIF and the MP4
    assert not any(seen)


@pytest.mark.slow
def test_a_preview_in_another_session_is_served_while_a_render_runs(app: App) -> None:
    """The demo project (448x256, three objects): a render of 12 frames takes several seconds; a preview asked for
    after its second frame comes back between two frames (it waited for the whole render before)."""
    renderer_session, previewer = Session(), Session()
    app.load_demo_project(renderer_session)
    app.load_demo_project(previewer)
    app.preview(previewer, PreviewCache(), 0.1, "rife-v4", AUTO)  # the model is loaded
    workspace = Workspace()
    done = threading.Event()

    def render() -> None:
        list(_render(app, renderer_session, workspace, 12))
        done.set()

    thread = threading.Thread(target=render)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not any(workspace.root.rglob("frame_0001.png")) if workspace.root else True:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        started = time.perf_counter()
        app.preview(previewer, PreviewCache(), 0.37, "rife-v4", AUTO)  # a new session: prepares its pair too
        latency = time.perf_counter() - started
        assert not done.is_set(), f"the preview ({latency:.2f} s) waited for the whole render"
        assert latency < 3.0
    finally:
        thread.join(300)
        workspace.cleanup()
