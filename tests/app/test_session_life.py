"""What a session holds goes back: memory when its tab closes, temporary folders after serving and at exit, and the
API works at the page's working size."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from interp.app.preview import PREVIEW_CACHE_BYTES, SHARED_STORE, PreviewCache
from interp.app.session import Session, to_project
from interp.app.workspace import ROOT_PREFIX, Workspace, remove_own_folders, remove_stale_folders
from interp.io.images import write_image
from interp.limits import MAX_ORIGINAL_SIDE, MAX_WORKING_SIDE
from interp.project.schema import project_to_dict
from interp.testing.synthetic import make_scene
from ui.handlers import App, friendly
from ui.lifecycle import SESSION_TTL_S
from ui.panels import AUTO


def _rss_mib() -> float:
    with open("/proc/self/statm") as stat:
        return int(stat.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _large_pair(folder: Path, height: int, width: int) -> tuple[str, str]:
    """Two large frames as PNG files (smooth content, so that they are quick to write)."""
    scene = make_scene(5, 90, 160, num_objects=1, max_motion=6)
    paths = []
    for index in range(2):
        small = Image.fromarray(scene.frame(index))
        paths.append(str(write_image(folder / f"{index}.png", np.asarray(small.resize((width, height))))))
    return paths[0], paths[1]


def _request(key: str) -> gr.Request:
    return SimpleNamespace(session_hash=key)  # what the handlers read of Gradio's request


@pytest.mark.slow
def test_ten_sessions_with_large_frames_give_their_memory_back(app: App, tmp_path: Path) -> None:
    """Each session uploads a 4800x3200 pair, previews it and renders, then its tab closes. Gradio keeps a closed
    session's state objects for an hour (the list below stands for that): what they held must go back anyway."""
    frame0, frame1 = _large_pair(tmp_path, 3200, 4800)
    warm = Session()
    app.load_frames(warm, *_large_pair(tmp_path / "..", 96, 160))
    app.preview(warm, PreviewCache(), 0.5, "rife-v4", AUTO)  # model and libraries loaded before measuring
    gc.collect()
    start = _rss_mib()
    kept_by_gradio, peak = [], start
    for index in range(10):
        session, cache, workspace = Session(), PreviewCache(), Workspace()
        app.open_session(session, cache, workspace, _request(f"s{index}"))
        app.load_frames(session, frame0, frame1)
        assert max(session.originals[0].shape[:2]) == MAX_ORIGINAL_SIDE
        assert max(session.img0.shape[:2]) == MAX_WORKING_SIDE
        app.preview(session, cache, 0.3, "rife-v4", AUTO)
        list(friendly(app.render)(session, workspace, 2, 10, "forward", "rife-v4", AUTO, 2, "working size"))
        folder = workspace.root
        peak = max(peak, _rss_mib())
        app.end_session(_request(f"s{index}"))
        assert not folder.exists()
        assert session.img0 is None
        assert session.originals is None
        kept_by_gradio.append((session, cache, workspace))
    gc.collect()
    final = _rss_mib()
    assert len(app.sessions) == 0
    assert SHARED_STORE.frames.bytes <= PREVIEW_CACHE_BYTES
    print(f"RSS {start:.0f} MiB -> peak {peak:.0f} -> {final:.0f} MiB")
    assert final - start < 300, f"RSS {start:.0f} MiB -> peak {peak:.0f} -> {final:.0f} MiB after the sessions ended"


def test_a_session_whose_state_expires_is_released_too(app: App) -> None:
    session, cache, workspace = Session(), PreviewCache(), Workspace()
    app.load_demo_project(session)
    app.open_session(session, cache, workspace, _request("expiring"))
    app.preview(session, cache, 0.5, "rife-v4", AUTO)
    root = workspace.new_render_dir().parent
    assert cache.frames
    app.sessions.end_state(session)  # what gr.State(delete_callback=...) calls when the state's time is up
    assert not cache.frames
    assert not root.exists()
    assert session.objects == []
    assert len(app.sessions) == 0


def test_the_page_releases_sessions_when_their_tab_closes() -> None:
    """The page registers every session on load and ends it on unload; its state has a deliberate time to live."""
    from ui.layout import build_app

    demo = build_app()
    functions = [dependency.fn for dependency in demo.fns.values()]
    assert any(getattr(fn, "__name__", "") == "open_session" for fn in functions)
    assert any(getattr(fn, "__name__", "") == "end_session" for fn in functions)
    states = [block for block in demo.blocks.values() if isinstance(block, gr.State)]
    session_state = next(state for state in states if isinstance(state.value, Session))
    assert session_state.time_to_live == SESSION_TTL_S


def test_a_copied_preview_cache_is_a_new_session(app: App) -> None:
    """Gradio deep-copies a gr.State's value for each new session: the copy must not share the first one's frames."""
    import copy

    first = PreviewCache()
    second = copy.deepcopy(first)
    assert second.owner != first.owner
    assert second.store is first.store


def test_api_outputs_are_removed_once_served_and_frames_work_at_the_working_size(app: App, tmp_path: Path) -> None:
    scene = make_scene(8, 60, 420, num_objects=1, max_motion=8)
    big = [np.asarray(Image.fromarray(scene.frame(i)).resize((1400, 200))) for i in range(2)]
    frame0, frame1 = (str(write_image(tmp_path / f"{i}.png", image)) for i, image in enumerate(big))
    session = Session()
    app.load_frames(session, big[0], big[1])
    document = {**project_to_dict(to_project(session)), "num_frames": 3}
    served = None
    for outputs in friendly(app.api_render_project)(frame0, frame1, json.dumps(document)):
        if isinstance(outputs[0], str):
            served = outputs
            with Image.open(outputs[0]) as gif:
                assert gif.size[0] == MAX_WORKING_SIDE  # the page's working size (1280x183), not 1400x200
    assert served is not None
    assert not Path(served[0]).exists()  # Gradio copied it to its cache before asking for more
    assert list(app.api_workspace.root.iterdir()) == []


def test_stale_folders_of_this_app_are_removed_at_start(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    dead = tmp_path / f"{ROOT_PREFIX}{int(gone.stdout)}-abc"
    mine = tmp_path / f"{ROOT_PREFIX}{os.getpid()}-abc"
    alive = tmp_path / f"{ROOT_PREFIX}1-abc"  # pid 1 runs
    old, recent = tmp_path / f"{ROOT_PREFIX}old", tmp_path / f"{ROOT_PREFIX}recent"
    for folder in (dead, mine, alive, old, recent):
        (folder / "render-001").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert sorted(remove_stale_folders(tmp_path)) == sorted([dead, old])
    assert mine.exists()
    assert alive.exists()
    assert recent.exists()


def test_a_frame_written_while_the_folders_are_removed_is_removed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render still running at SIGTERM wrote a frame into its folder while the folder was being removed (one
    ``.part.png`` stayed behind): the removal goes over a folder again while it is still there."""
    folder = tmp_path / f"{ROOT_PREFIX}{os.getpid()}-abc"
    staging = folder / "call-x" / ".render.partial-y"
    staging.mkdir(parents=True)
    real_rmtree, passes = shutil.rmtree, []

    def racing_rmtree(path: Path, ignore_errors: bool = False) -> None:
        real_rmtree(path, ignore_errors=ignore_errors)
        passes.append(path)
        if len(passes) == 1:  # the render thread wrote its next frame meanwhile: that folder could not go
            staging.mkdir(parents=True)
            (staging / ".frame_0002.a00ecd00.part.png").write_bytes(b"png")

    monkeypatch.setattr("interp.app.workspace.shutil.rmtree", racing_rmtree)
    assert remove_own_folders(tmp_path) == [folder]
    assert not folder.exists()
    assert len(passes) == 2


SERVER = """
import sys, tempfile, time
tempfile.tempdir = sys.argv[1]
from interp.app.workspace import Workspace
from ui.lifecycle import manage_temp_folders
manage_temp_folders()
print(Workspace().new_render_dir().parent, flush=True)
time.sleep(60)
"""


def test_sigterm_removes_this_processes_folders(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    folder = Path(process.stdout.readline().strip())
    assert folder.is_dir()
    assert folder.name.startswith(ROOT_PREFIX)
    process.terminate()
    assert process.wait(30) == 128 + 15
    assert not folder.exists()
