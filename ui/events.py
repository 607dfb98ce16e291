"""The page's events: which handler of ``ui.handlers.App`` each one calls, with which components in and out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr
from gradio.blocks import Block
from gradio.events import Dependency

from interp.io.images import read_image
from ui.handlers import App, friendly
from ui.panels import DEMO

#: The page's own events: the browser calls them, the API lists none of them and Gradio's clients cannot call them (the
#: documented API is ``render_project`` alone).
PAGE_ONLY: dict[str, Any] = {"api_visibility": "private"}


def _preview(handler: Callable[..., Any], inputs: list[Block], output: Block, progress: str) -> dict[str, Any]:
    """The arguments of an event that shows a preview in ``output``: only the last one asked for while one runs is
    served (``trigger_mode="always_last"``)."""
    return {
        "fn": friendly(handler),
        "inputs": inputs,
        "outputs": [output],
        "show_progress": progress,
        "trigger_mode": "always_last",
        **PAGE_ONLY,
    }


def wire(demo: gr.Blocks, app: App) -> None:
    """Connect every event of the page (``app.panels``) to its handler in ``app``, each behind the error boundary
    (``friendly``). Call inside ``demo``. An edit that succeeds is followed by the still preview, then the preview
    that plays; a failed one by neither."""
    states, frames, objects, curves = app.panels.states, app.panels.frames, app.panels.objects, app.panels.curves
    preview, render, results, api = app.panels.preview, app.panels.render, app.panels.results, app.panels.api
    session = states.session
    views, curve_views = app.panels.views(), app.panels.curve_views()
    boxes = [frames.img0, frames.img1]
    restored = [*views, *render.settings(), preview.t, *boxes, frames.project_file]  # what loading a project sets
    shown = [render.model, render.renderer]  # what the previews render with
    still_inputs = [session, states.cache, preview.t, *shown, preview.invented]
    still_args = _preview(app.preview, still_inputs, preview.still, "minimal")
    animation_inputs = [session, states.cache, states.workspace, *shown]
    animation_args = _preview(app.animate, animation_inputs, preview.animation, "hidden")

    def previews(event: Dependency) -> None:
        """After an edit that succeeded: the still preview, then the animation (an edit restarts it)."""
        event.success(**still_args).success(**animation_args)

    initial = (read_image(DEMO / "frame0.png"), read_image(DEMO / "frame1.png"))  # the demo pair, preloaded
    demo.load(
        friendly(app.open_session), [session, states.cache, states.workspace], None, show_progress="hidden", **PAGE_ONLY
    )
    demo.unload(friendly(app.end_session))
    previews(demo.load(friendly(lambda s: app.start(s, initial)), [session], [*views, *boxes], **PAGE_ONLY))
    uploaded = [session, *boxes, frames.fit]
    for image in boxes:
        previews(image.upload(friendly(app.load_frames), uploaded, [*views, *boxes], **PAGE_ONLY))
    previews(frames.fit.input(friendly(app.load_frames), uploaded, [*views, *boxes], **PAGE_ONLY))
    loaded = frames.examples.load_input_event.then(friendly(app.load_frames), uploaded, [*views, *boxes], **PAGE_ONLY)
    previews(loaded)
    previews(objects.canvas.select(friendly(app.click), [session, objects.mode, objects.brush], views, **PAGE_ONLY))
    objects.objects.select(friendly(app.select_object), [session, objects.objects], views, **PAGE_ONLY)
    for button, handler in ((objects.new, app.new_object), (objects.delete, app.delete), (objects.clear, app.clear)):
        previews(button.click(friendly(handler), [session], views, **PAGE_ONLY))
    previews(objects.undo.click(friendly(app.undo), [session], [*views, *boxes], **PAGE_ONLY))  # frames come back too
    objects.rename.click(friendly(app.rename), [session, objects.name], views, **PAGE_ONLY)
    previews(
        curves.object.preset.input(
            friendly(app.object_preset), [session, curves.object.preset], [*views, preview.t], **PAGE_ONLY
        )
    )
    background_preset = curves.background.preset
    previews(
        background_preset.input(
            friendly(app.background_preset), [session, background_preset], [*curve_views, preview.t], **PAGE_ONLY
        )
    )
    for controls, background in ((curves.object, False), (curves.background, True)):
        edited = gr.State(background)
        edit = controls.editor.edit(
            friendly(app.edit_curve), [session, edited], curve_views, trigger_mode="multiple", **PAGE_ONLY
        )
        previews(edit)
        previews(
            controls.pairs.submit(friendly(app.type_curve), [session, edited, controls.pairs], curve_views, **PAGE_ONLY)
        )
    preview.t.release(**still_args)
    preview.invented.input(**still_args)
    previews(render.model.input(lambda: None, **PAGE_ONLY))
    previews(render.renderer.input(lambda: None, **PAGE_ONLY))
    rendering = render.render.click(
        friendly(app.render),
        [session, states.workspace, *render.settings(), render.size, results.files],
        [results.video, results.gif, results.files, render.summary],
        show_progress_on=[render.summary],  # the previous results stay in sight, labelled as such
        concurrency_limit=1,
        concurrency_id="render",
        **PAGE_ONLY,
    )
    render.cancel.click(
        friendly(app.cancel_render), [results.files], [render.summary], cancels=[rendering], **PAGE_ONLY
    )
    previews(
        frames.project_file.upload(
            friendly(app.load_project_file), [session, frames.project_file], restored, **PAGE_ONLY
        )
    )
    previews(frames.demo_project.click(friendly(app.load_demo_project), [session], restored, **PAGE_ONLY))
    api.button.click(
        friendly(app.api_render_project, markup=False),  # API clients read the message as text, not HTML
        [api.frame0, api.frame1, api.project],
        [api.gif, api.mp4],
        api_name="render_project",
        concurrency_limit=1,
        concurrency_id="render",
    )
