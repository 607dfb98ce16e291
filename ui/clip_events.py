"""The clip page's events: which handler of ``ui.clip_handlers.ClipPage`` each one calls, with which components in
and out. An edit that succeeds is followed by the still preview, then the preview that plays (as on the two-frame
page); tracking too."""

from __future__ import annotations

import gradio as gr
from gradio.events import Dependency

from ui.clip_handlers import ClipPage
from ui.events import PAGE_ONLY
from ui.handlers import friendly


def wire_clip(demo: gr.Blocks, page: ClipPage) -> None:
    """Connect every event of the clip page (``page.panels``) to its handler, each behind the error boundary."""
    p = page.panels
    session = p.session
    views, curve_views = p.views(), p.curve_views()
    still_args = {
        "fn": friendly(page.preview),
        "inputs": [session, p.t, p.model],
        "outputs": [p.still],
        "show_progress": "minimal",
        "trigger_mode": "always_last",
        **PAGE_ONLY,
    }
    animation_args = {
        "fn": friendly(page.animate),
        "inputs": [session, p.workspace, p.model],
        "outputs": [p.animation],
        "show_progress": "hidden",
        "trigger_mode": "always_last",
        **PAGE_ONLY,
    }

    def previews(event: Dependency) -> None:
        event.success(**still_args).success(**animation_args)

    demo.load(friendly(page.open_session), [session, p.workspace], None, show_progress="hidden", **PAGE_ONLY)
    uploaded = [*views, p.frame, p.num_frames, p.fps, p.info, p.still, p.animation]
    p.upload.upload(friendly(page.upload), [session, p.upload], uploaded, **PAGE_ONLY)
    scrubbed = p.frame.input(
        friendly(page.scrub), [session, p.frame], [p.canvas, p.strip], trigger_mode="always_last", **PAGE_ONLY
    )
    del scrubbed
    p.strip.select(friendly(page.strip_select), [session], [p.canvas, p.strip, p.frame], **PAGE_ONLY)
    tracking_out = [*views]
    clicked = p.canvas.select(friendly(page.click), [session, p.mode], views, **PAGE_ONLY)
    retracking = clicked.success(friendly(page.retrack), [session], tracking_out, **PAGE_ONLY)
    previews(retracking)
    p.objects.select(friendly(page.select_object), [session, p.objects], views, **PAGE_ONLY)
    for button, handler in ((p.new, page.new_object), (p.delete, page.delete), (p.clear_frame, page.clear_frame)):
        previews(button.click(friendly(handler), [session], views, **PAGE_ONLY))
    tracking = p.track.click(
        friendly(page.track), [session], tracking_out, show_progress_on=[p.track_status], **PAGE_ONLY
    )
    previews(tracking)
    p.cancel_track.click(friendly(page.cancel_track), None, [p.track_status], cancels=[tracking, retracking],
                         **PAGE_ONLY)  # fmt: skip
    for controls, background in ((p.curves, False), (p.background, True)):
        edited = gr.State(background)
        previews(
            controls.preset.input(
                friendly(page.preset), [session, edited, controls.preset], [*curve_views, p.t], **PAGE_ONLY
            )
        )
        previews(
            controls.editor.edit(
                friendly(page.edit_curve), [session, edited], curve_views, trigger_mode="multiple", **PAGE_ONLY
            )
        )
        previews(controls.pairs.submit(friendly(page.type_curve), [session, edited, controls.pairs], curve_views,
                                       **PAGE_ONLY))  # fmt: skip
    p.t.release(**still_args)
    previews(p.model.input(lambda: None, **PAGE_ONLY))
    rendering = p.render.click(
        friendly(page.render),
        [session, p.workspace, p.num_frames, p.fps, p.model],
        [p.video, p.files, p.summary],
        show_progress_on=[p.summary],
        concurrency_limit=1,
        concurrency_id="render",
        **PAGE_ONLY,
    )
    p.cancel.click(friendly(page.cancel_render), None, [p.summary], cancels=[rendering], **PAGE_ONLY)
    loaded = [*views, p.num_frames, p.fps, p.t, p.project_file]
    previews(p.project_file.upload(friendly(page.load_project_file), [session, p.project_file], loaded, **PAGE_ONLY))
    p.api.button.click(
        friendly(page.api_render_clip_project, markup=False),  # API clients read the message as text
        [p.api.video, p.api.project],
        [p.api.mp4],
        api_name="render_clip_project",
        concurrency_limit=1,
        concurrency_id="render",
    )
