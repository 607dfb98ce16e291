"""The page: a header over two tabs. The two-frame page: its panels (``ui.panels``), its handlers
(``ui.handlers.App``) and the events between them (``ui.events.wire``); the clip page: ``ui.clip_panels``,
``ui.clip_handlers.ClipPage``, ``ui.clip_events.wire_clip``. Both share the model pool, the segmenter and the live
sessions."""

from __future__ import annotations

from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from interp.app.preview import ModelPool, available_models
from interp.limits import DEFAULT_MAX_JOB_MEGAPIXELS, MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES
from interp.models.registry import DEFAULT_MODEL
from sam_utils.segmenter import Segmenter, make_segmenter
from ui.clip_events import wire_clip
from ui.clip_handlers import ClipPage
from ui.clip_panels import build_clip_panels
from ui.events import wire
from ui.fairness import share_queue_per_client
from ui.handlers import App
from ui.lifecycle import LiveSessions
from ui.panels import build_header, build_panels
from ui.request_limit import RequestSizeLimit


def build_page(
    pool: ModelPool | None = None,
    segmenter: Segmenter | None = None,
    max_job_megapixels: float = DEFAULT_MAX_JOB_MEGAPIXELS,
) -> tuple[gr.Blocks, App]:
    """The page and its handlers. ``pool`` and ``segmenter`` are shared by every session (created when not given);
    ``max_job_megapixels`` bounds one render (frames x pixels) in the page and the API."""
    segmenter = segmenter or make_segmenter("auto")
    sessions = LiveSessions()
    # analytics off: the app makes no network calls of its own (offline-safe)
    with gr.Blocks(title="interp", delete_cache=(1800, 3600), analytics_enabled=False, fill_width=True) as demo:
        models = available_models() or [DEFAULT_MODEL]
        build_header(segmenter, models)
        with gr.Tabs(elem_id="pages"):
            with gr.Tab("Two frames", id="two-frames", elem_id="two-frames-tab"):
                panels = build_panels(segmenter, models, sessions)
            with gr.Tab("Clip", id="clip", elem_id="clip-tab"):
                clip_panels = build_clip_panels(models, sessions)
        pool = pool or ModelPool()
        app = App(pool, segmenter, panels, sessions, max_job_megapixels)
        app.clip_page = ClipPage(pool, segmenter, clip_panels, sessions, max_job_megapixels)
        wire(demo, app)
        wire_clip(demo, app.clip_page)
    return demo, app


def build_app(
    pool: ModelPool | None = None,
    segmenter: Segmenter | None = None,
    max_job_megapixels: float = DEFAULT_MAX_JOB_MEGAPIXELS,
) -> gr.Blocks:
    """The page (``build_page`` without its handlers), as ``app.py`` serves it."""
    return build_page(pool, segmenter, max_job_megapixels)[0]


def serve(demo: gr.Blocks, max_upload_bytes: int = MAX_UPLOAD_BYTES, monitoring: bool = False, **launch: Any) -> None:
    """Queue and launch the page as ``app.py`` serves it (the tests' server too): at most 2 runs of one event at a
    time, 64 waiting, a few per client (``ui.fairness``), and uploads larger than ``max_upload_bytes`` refused
    before they reach a handler or the disk, other request bodies larger than ``MAX_REQUEST_BYTES`` too
    (``ui.request_limit``). Gradio's ``/monitoring`` pages (event names, counts, timings) answer
    only with ``monitoring``. ``launch``: ``gr.Blocks.launch``'s other arguments (address, port, ...)."""
    demo.queue(default_concurrency_limit=2, max_size=64)
    share_queue_per_client(demo)
    bounded = [Middleware(RequestSizeLimit, max_bytes=MAX_REQUEST_BYTES)]
    demo.launch(
        max_file_size=max_upload_bytes, enable_monitoring=monitoring, app_kwargs={"middleware": bounded}, **launch
    )
