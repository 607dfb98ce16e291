"""One session's edits happen one at a time: Gradio runs a session's different events at once, on one ``Session``."""

from __future__ import annotations

import threading

import gradio as gr
import numpy as np

from interp.app.session import Session
from interp.testing.synthetic import make_scene
from ui.handlers import App
from ui.panels import INCLUDE


def _select(x: float, y: float) -> gr.SelectData:
    return gr.SelectData(None, {"index": [x, y], "value": None, "selected": True})


def test_an_edit_waits_for_the_sessions_edit_in_progress(app: App, session: Session, monkeypatch) -> None:
    """A click is segmenting (held inside the segmenter); a new frame pair arriving for the same session waits for it
    instead of replacing the frames under it, while another session's edit goes ahead."""
    segmenting, release = threading.Event(), threading.Event()
    segment = app.segmenter.segment

    def slow_segment(*args, **kwargs):
        segmenting.set()
        assert release.wait(30)
        return segment(*args, **kwargs)

    monkeypatch.setattr(app.segmenter, "segment", slow_segment)
    scene = make_scene(12, 96, 160, num_objects=2, max_motion=10)
    x, y = scene.centres()[1]
    other = make_scene(99, 64, 128, num_objects=1, max_motion=6)
    clicking = threading.Thread(target=app.click, args=(session, INCLUDE, 8, _select(x, y)))
    loading = threading.Thread(target=app.load_frames, args=(session, other.frame(0), other.frame(1)))
    clicking.start()
    assert segmenting.wait(30)
    loading.start()
    elsewhere = Session()
    app.load_frames(elsewhere, other.frame(0), other.frame(1))  # another session is not held up
    assert elsewhere.has_frames
    loading.join(0.5)
    assert loading.is_alive()  # the new pair waits for the click
    assert session.img0.shape[:2] == (96, 160)
    release.set()
    clicking.join(30)
    loading.join(30)
    assert not clicking.is_alive()
    assert not loading.is_alive()
    # the click finished on the frames it started on; then the new pair replaced frames and objects together
    assert session.img0.shape[:2] == (64, 128)
    assert all(obj.mask is None or obj.mask.shape == (64, 128) for obj in session.objects)
    assert np.array_equal(session.img0, other.frame(0))
