"""The stateless render_project endpoint, called with gradio_client as the README shows."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from interp.app.workspace import ROOT_PREFIX
from interp.core.curves import Curve
from interp.io.images import write_image
from interp.limits import MAX_QUEUED_PER_SESSION, MAX_REQUEST_BYTES
from interp.models.paths import PROJECT_ROOT
from interp.testing.synthetic import make_scene
from ui.handlers import App

pytestmark = pytest.mark.slow


def test_render_project_endpoint(app_url: str, tmp_path: Path) -> None:
    scene = make_scene(41, 96, 160, num_objects=1, max_motion=10)
    frame0, frame1 = write_image(tmp_path / "a.png", scene.frame(0)), write_image(tmp_path / "b.png", scene.frame(1))
    x, y = scene.centres()[0]
    project = {
        "format": "interp-project",
        "version": 1,
        "frame0": "a.png",
        "frame1": "b.png",
        "num_frames": 4,
        "fps": 8,
        "objects": [{"name": "o", "points": [[x, y, 1]], "curve": Curve.preset("reverse").to_points()}],
    }
    client = Client(app_url, verbose=False)
    gif, mp4 = client.predict(
        handle_file(str(frame0)), handle_file(str(frame1)), json.dumps(project), api_name="/render_project"
    )
    with Image.open(gif) as animation:
        assert animation.n_frames == 4
    assert Path(mp4).stat().st_size > 0
    bad = {**project, "num_frames": 1}
    with pytest.raises(Exception, match="num_frames"):
        client.predict(handle_file(str(frame0)), handle_file(str(frame1)), json.dumps(bad), api_name="/render_project")


def _partial_renders(since: float) -> list[Path]:
    """Render folders being written (``.render….partial-…``, at any depth: the API renders into a folder of its
    own per call) in this app's folders, made since ``since``."""
    found = []
    for root in Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        for partial in root.glob("**/.render*.partial-*"):
            try:
                if partial.stat().st_mtime >= since - 1:
                    found.append(partial)
            except FileNotFoundError:  # removed while we looked
                continue
    return found


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("frames_before_cancel", [0, 2])
def test_a_cancelled_call_stops_rendering_and_removes_its_files(
    app_url: str, tmp_path: Path, frames_before_cancel: int
) -> None:
    """Cancelled while its first frame renders (Gradio could not close the call then) or later: the render stops
    within a frame, its partial folder goes, and the render slot is free for the next call."""
    scene = make_scene(43, 360, 640, num_objects=1, max_motion=20)
    frame0, frame1 = write_image(tmp_path / "a.png", scene.frame(0)), write_image(tmp_path / "b.png", scene.frame(1))
    project = {"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "num_frames": 121}
    client = Client(app_url, verbose=False)
    start = time.time()
    job = client.submit(
        handle_file(str(frame0)), handle_file(str(frame1)), json.dumps(project), api_name="/render_project"
    )
    last = f"frame_{frames_before_cancel - 1:04d}.png" if frames_before_cancel else "."
    assert _wait_for(lambda: any((p / last).exists() for p in _partial_renders(start)), 120)
    job.cancel()
    assert _wait_for(lambda: not _partial_renders(start), 15), "the render went on after its call was cancelled"
    small = {**project, "num_frames": 2}
    began = time.monotonic()
    client.predict(handle_file(str(frame0)), handle_file(str(frame1)), json.dumps(small), api_name="/render_project")
    assert time.monotonic() - began < 60  # the render slot was free again


def test_the_api_is_render_project_alone(app_url: str) -> None:
    """The page's own events (clicks, previews, the session's start) are not API endpoints: a client sees the two
    documented endpoints (two frames, a clip) and cannot call the others by name."""
    client = Client(app_url, verbose=False)
    api = client.view_api(return_format="dict", print_info=False)
    assert sorted(api["named_endpoints"]) == ["/render_clip_project", "/render_project"]
    assert api["unnamed_endpoints"] == {}
    with pytest.raises(ValueError, match="open_session"):
        client.predict(api_name="/open_session")


def test_an_upload_over_the_bound_is_refused(tmp_path: Path) -> None:
    """A server bounded to 1 MB per upload refuses a 2 MB frame before any handler sees it."""
    from interp.app.preview import ModelPool
    from sam_utils.segmenter import make_segmenter
    from tests.app.conftest import free_port
    from ui.layout import build_app, serve

    demo = build_app(ModelPool(), make_segmenter("fallback"))
    port = free_port()
    serve(demo, max_upload_bytes=1024 * 1024, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        small = write_image(tmp_path / "small.png", make_scene(3, 64, 96).frame(0))
        big = tmp_path / "big.png"
        big.write_bytes(small.read_bytes() + bytes(2 * 1024 * 1024))  # a PNG with 2 MB of trailing bytes
        project = {"format": "interp-project", "version": 1, "num_frames": 3, "objects": []}
        frames = handle_file(str(big)), handle_file(str(small))
        with pytest.raises(Exception, match=r"(?i)size|large|413") as refused:
            client.predict(*frames, json.dumps(project), api_name="/render_project")
        assert "maximum file size" in str(refused.value)
    finally:
        demo.close()


@pytest.fixture(scope="module")
def counted_server() -> Iterator[tuple[str, App, list[int]]]:
    """The app on a free local port, built as ``app.py`` builds it, whose segmenter calls are counted."""
    from interp.app.preview import ModelPool
    from sam_utils.segmenter import make_segmenter
    from tests.app.conftest import free_port
    from ui.layout import build_page, serve

    demo, app = build_page(ModelPool(), make_segmenter("fallback"))
    calls: list[int] = []
    segment = app.segment_mask
    app.segment_mask = lambda *args: calls.append(1) or segment(*args)
    port = free_port()
    serve(demo, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/", app, calls
    finally:
        demo.close()


def _big_many_dab_project(folder: Path, width: int = 4000, height: int = 3000) -> tuple[Path, Path, str]:
    """Two smooth ``width x height`` frames and a project of 12 clicked objects with 256 large brush dabs each."""
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :, None] * np.ones((height, 1, 3), np.float32)
    frame0 = write_image(folder / "big0.png", ramp.astype(np.uint8))
    frame1 = write_image(folder / "big1.png", np.roll(ramp, 40, axis=1).astype(np.uint8))
    dabs = [[200 + 13 * k, 300 + 7 * k, 200, 1] for k in range(256)]
    objects = [
        {"name": f"o{i}", "points": [[300 * i + 100, 1500, 1]], "brush": dabs, "curve": [[0, 0], [1, 1]]}
        for i in range(12)
    ]
    project = {"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "num_frames": 9}
    return frame0, frame1, json.dumps({**project, "objects": objects})


def test_a_call_cancelled_while_its_project_loads_stops_loading(
    counted_server: tuple[str, App, list[int]], tmp_path: Path
) -> None:
    """Cancelled while a big-frame, many-dab project is still being segmented and painted, the call segments at
    most one more object, never starts rendering, and the render slot serves the next call."""
    url, app, calls = counted_server
    frame0, frame1, project = _big_many_dab_project(tmp_path)
    client = Client(url, verbose=False)
    job = client.submit(handle_file(str(frame0)), handle_file(str(frame1)), project, api_name="/render_project")
    assert _wait_for(lambda: len(calls) >= 2, 180), "loading never reached its second object"
    job.cancel()
    at_cancel = len(calls)
    time.sleep(8)  # a dozen objects' worth of loading, had it gone on
    assert len(calls) <= at_cancel + 1, f"{len(calls) - at_cancel} objects were segmented after the cancel"
    root = app.api_workspace.root
    assert root is None or not list(root.glob("call-*")), "the cancelled call went on to render"
    small = write_image(tmp_path / "small.png", make_scene(5, 64, 96).frame(0))
    document = {"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "num_frames": 2}
    gif, _ = client.predict(
        handle_file(str(small)), handle_file(str(small)), json.dumps(document), api_name="/render_project"
    )
    assert Path(gif).stat().st_size > 0


def test_one_client_cannot_fill_the_queue_for_everyone(
    counted_server: tuple[str, App, list[int]], tmp_path: Path
) -> None:
    """One API client (one session) asks for 20 renders at once: a few are queued, the rest are refused at once
    (HTTP 503, which Gradio's clients show as "Queue is full"; Gradio's own queue holds 64), and another client's
    call is still answered."""
    url = counted_server[0]
    frame = write_image(tmp_path / "f.png", make_scene(7, 64, 96).frame(0))
    document = json.dumps({"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "num_frames": 2})
    flooder, other = Client(url, verbose=False), Client(url, verbose=False)
    jobs = [
        flooder.submit(handle_file(str(frame)), handle_file(str(frame)), document, api_name="/render_project")
        for _ in range(20)
    ]
    gif, _ = other.predict(handle_file(str(frame)), handle_file(str(frame)), document, api_name="/render_project")
    assert Path(gif).stat().st_size > 0
    outcomes = []
    for job in jobs:
        try:
            job.result(timeout=300)
            outcomes.append("served")
        except Exception as exc:  # gradio_client raises plain exceptions for refused joins
            outcomes.append(str(exc))
    assert 1 <= outcomes.count("served") <= MAX_QUEUED_PER_SESSION + 2, outcomes  # places free as renders end
    assert outcomes.count("Queue is full! Please try again.") >= 20 - MAX_QUEUED_PER_SESSION - 2, outcomes


def test_a_refused_join_says_why(counted_server: tuple[str, App, list[int]], tmp_path: Path) -> None:
    """The refusal's HTTP answer carries the reason (a raw client sees it; Gradio's clients say "Queue is full")."""
    url = counted_server[0]
    frame = write_image(tmp_path / "f.png", make_scene(7, 64, 96).frame(0))
    with frame.open("rb") as file:
        (uploaded,) = httpx.post(url + "gradio_api/upload", files={"files": file}, timeout=60).json()
    upload = {"path": uploaded, "meta": {"_type": "gradio.FileData"}}
    document = json.dumps({"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "num_frames": 30})
    fn_index = next(i for i, fn in app_fns(url) if fn.get("api_name") == "render_project")
    body = {"data": [upload, upload, document], "fn_index": fn_index, "session_hash": "flood-7", "event_data": None}
    joins = [
        httpx.post(url + "gradio_api/queue/join", json=body, timeout=60) for _ in range(MAX_QUEUED_PER_SESSION + 1)
    ]
    assert [join.status_code for join in joins[:-1]] == [200] * MAX_QUEUED_PER_SESSION
    assert joins[-1].status_code == 503
    assert f"requests waiting or running (at most {MAX_QUEUED_PER_SESSION})" in joins[-1].json()["detail"]


def app_fns(url: str) -> list[tuple[int, dict]]:
    """The page's dependencies (events) by index, as ``/config`` lists them."""
    return list(enumerate(httpx.get(url + "config", timeout=60).json()["dependencies"]))


def test_monitoring_pages_need_the_flag(counted_server: tuple[str, App, list[int]]) -> None:
    for path in ("gradio_api/monitoring", "gradio_api/monitoring/summary", "monitoring"):
        answer = httpx.get(counted_server[0] + path, timeout=30)
        assert answer.status_code in (403, 404), (path, answer.status_code, answer.text[:200])


def test_sigterm_during_a_render_exits_cleanly(tmp_path: Path) -> None:
    """``python app.py`` told to stop (SIGTERM) while a render runs: status 143, its folders removed, and no abort
    ("terminate called without an active exception") from the model's threads."""
    from tests.app.conftest import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_for(lambda: _answers(url), 180), "the app did not start"
        scene = make_scene(44, 360, 640, num_objects=1, max_motion=20)
        frame0 = write_image(tmp_path / "a.png", scene.frame(0))
        frame1 = write_image(tmp_path / "b.png", scene.frame(1))
        project = {"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "num_frames": 121}
        client = Client(url, verbose=False)
        client.submit(
            handle_file(str(frame0)), handle_file(str(frame1)), json.dumps(project), api_name="/render_project"
        )
        folders = f"{ROOT_PREFIX}{server.pid}-*"
        assert _wait_for(lambda: any(Path(tempfile.gettempdir()).glob(f"{folders}/**/frame_0001.png")), 180)
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 128 + signal.SIGTERM, stderr.decode(errors="replace")[-2000:]
    assert b"terminate called" not in stderr
    assert not list(Path(tempfile.gettempdir()).glob(folders))


def _answers(url: str) -> bool:
    try:
        return httpx.get(url + "config", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_api_errors_are_plain_text(counted_server: tuple[str, App, list[int]], tmp_path: Path) -> None:
    """An API client reads the message as written (the page escapes its messages because it shows them as HTML)."""
    frame = write_image(tmp_path / "f.png", make_scene(7, 64, 96).frame(0))
    document = {"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "loop": "<back>"}
    client = Client(counted_server[0], verbose=False)
    with pytest.raises(Exception, match="got '<back>'"):
        client.predict(
            handle_file(str(frame)), handle_file(str(frame)), json.dumps(document), api_name="/render_project"
        )


def test_a_request_body_over_the_bound_is_refused(counted_server: tuple[str, App, list[int]]) -> None:
    """The API's project string (any request but an upload) is bounded before the server reads it whole."""
    url = counted_server[0]
    fn_index = next(i for i, fn in app_fns(url) if fn.get("api_name") == "render_project")
    project = " " * (MAX_REQUEST_BYTES + 1)
    body = {"data": [None, None, project], "fn_index": fn_index, "session_hash": "big-1", "event_data": None}
    answer = httpx.post(url + "gradio_api/queue/join", json=body, timeout=120)
    assert answer.status_code == 413
    assert "request body larger than this server takes (32 MB)" in answer.text
