"""The page: components and the events that connect them to ``ui.handlers.App``."""

from __future__ import annotations

import html

import gradio as gr
from gradio.events import Dependency

from interp.app.preview import ModelPool, PreviewCache, available_models
from interp.app.session import Session
from interp.app.workspace import Workspace
from interp.core.curves import PRESETS
from interp.core.renderers import RENDERERS
from interp.engine.interpolator import MAX_ITERS
from interp.io.images import read_image
from interp.limits import DEFAULT_MAX_JOB_MEGAPIXELS, MAX_APP_FRAMES
from interp.models.registry import DEFAULT_MODEL
from interp.project.schema import LOOPS
from sam_utils.segmenter import Segmenter, make_segmenter
from ui.components import upload_image
from ui.curve_editor import curve_editor
from ui.handlers import AUTO, CLICK_MODES, DEMO, INCLUDE, App, friendly
from ui.lifecycle import SESSION_TTL_S

INTRO = (
    "<b>interp</b> · manipulated frame interpolation: click objects on frame 0, give each its own distance curve "
    "(d = 0: where it is in frame 0, d = 1: where it is in frame 1), watch the preview, render."
)

STEPS = """1. Load **frame 0** and **frame 1** (or the demo scene), or a saved project.
2. **Click objects** on frame 0 to segment them (include / exclude clicks, a box from two corner clicks, and a
   brush to add or erase pixels of the selected object's mask; each object gets a colour).
3. Give each object its own **distance curve**; everything else follows the background curve.
4. **Scrub** the preview, then **render** a GIF and an MP4."""

SIZES = ("working size", "original size (slower)")

#: Page styles: tighter gaps, so that the working loop fits a 1366x768 window, and image labels above their images
#: (Gradio floats them over the image's top-left corner, where they hide pixels one may want to click).
CSS = """
.gradio-container { --layout-gap: 8px; }
.gradio-container .main { padding: 4px 12px !important; }
.gradio-container .column, .gradio-container .row { gap: 8px; }
#header p { margin: 0; }
#status { font-size: 0.85em; color: var(--body-text-color-subdued); }
.labelled-image label[data-testid=block-label].float { position: static; border-radius: 0; }
"""


def _image(label: str, elem_id: str, **settings: object) -> gr.Image:
    """An output image sized to the window (the three images of the working loop share one row)."""
    return gr.Image(
        label=label,
        interactive=False,
        elem_id=elem_id,
        buttons=[],
        height="34vh",
        elem_classes=["labelled-image"],
        **{"format": "png", **settings},
    )


def build_app(
    pool: ModelPool | None = None,
    segmenter: Segmenter | None = None,
    max_job_megapixels: float = DEFAULT_MAX_JOB_MEGAPIXELS,
) -> gr.Blocks:
    """Build the page. ``pool`` and ``segmenter`` are shared by every session (created when not given);
    ``max_job_megapixels`` bounds one render (frames x pixels) in the page and the API."""
    app = App(pool or ModelPool(), segmenter or make_segmenter("auto"), max_job_megapixels)
    models = available_models() or [DEFAULT_MODEL]
    default_model = DEFAULT_MODEL if DEFAULT_MODEL in models else models[0]
    # analytics off: the app makes no network calls of its own (offline-safe)
    with gr.Blocks(title="interp", delete_cache=(1800, 3600), analytics_enabled=False, fill_width=True) as demo:
        # a session's parts are released when its tab closes (unload, below) or its state expires: Gradio itself
        # keeps a closed tab's state for an hour, and a state no event returns (cache, workspace) for ever
        session = gr.State(Session(), time_to_live=SESSION_TTL_S, delete_callback=app.sessions.end_state)
        cache = gr.State(PreviewCache())
        workspace = gr.State(Workspace(), delete_callback=Workspace.cleanup)
        # the page's styles ride in the header's ``head`` (Gradio 6 takes ``css`` only in ``launch``)
        gr.HTML(
            f"<p>{INTRO}</p><p id='status'>Segmentation: <b>{html.escape(app.segmenter.describe())}</b> · models "
            f"with weights: {', '.join(models)}</p>",
            head=f"<style>{CSS}</style>",
            js_on_load=None,
            elem_id="header",
        )
        with gr.Accordion("Frames, demo scene and projects", open=False, elem_id="frames-accordion"):
            gr.Markdown(STEPS)
            with gr.Row():
                img0, img1 = (
                    upload_image(label=f"Frame {i}", sources=["upload", "clipboard"], height=170, elem_id=f"frame{i}")
                    for i in range(2)
                )
                with gr.Column():
                    examples = gr.Examples(
                        [[str(DEMO / "frame0.png"), str(DEMO / "frame1.png")]],
                        inputs=[img0, img1],
                        label="Demo scene (made by the project)",
                        elem_id="examples",
                    )
                    demo_project = gr.Button("Load the demo project (objects and curves)", elem_id="demo-project")
                    project_file = gr.File(
                        label="Load a saved project (.json)",
                        file_types=[".json"],
                        type="filepath",
                        height=120,
                        elem_id="project-upload",
                    )
        with gr.Row(equal_height=True):
            canvas = _image("Click objects on frame 0", "canvas")
            preview = _image("Preview at time t", "preview")
            animation = _image("Playing", "animation", type="filepath")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=240):
                mode = gr.Radio(list(CLICK_MODES), value=INCLUDE, label="Click mode", elem_id="mode")
                brush = gr.Slider(1, 40, value=8, step=1, label="Brush radius (px)", elem_id="brush-radius")
            with gr.Column(scale=3, min_width=240):
                objects = gr.Radio([], label="Objects (select to edit)", elem_id="objects")
                table = gr.HTML(elem_id="object-table")  # ui.handlers.App.object_table escapes the names
                with gr.Row():
                    new_btn = gr.Button("New object", size="sm", min_width=60, elem_id="new-object")
                    undo_btn = gr.Button("Undo", size="sm", min_width=60, elem_id="undo")
                    delete_btn = gr.Button("Delete", size="sm", min_width=60, elem_id="delete")
                    clear_btn = gr.Button("Clear all", size="sm", min_width=60, elem_id="clear")
                with gr.Row():
                    name = gr.Textbox(show_label=False, placeholder="new name", scale=3, elem_id="rename-box")
                    rename_btn = gr.Button("Rename", size="sm", scale=1, min_width=60, elem_id="rename")
            with gr.Column(scale=4, min_width=300):
                with gr.Row():
                    object_preset = gr.Dropdown(
                        list(PRESETS), value=None, label="Object curve preset", min_width=120, elem_id="object-preset"
                    )
                    object_pairs = gr.Textbox(
                        label="Keyframes t:d (Enter)", max_lines=1, scale=2, elem_id="object-pairs"
                    )
                object_editor = curve_editor("object-curve")
                with gr.Accordion("Background curve", open=False):
                    background_preset = gr.Dropdown(
                        list(PRESETS), value="linear", label="Background preset", elem_id="background-preset"
                    )
                    background_editor = curve_editor("background-curve")
                    background_pairs = gr.Textbox(
                        label="Background keyframes t:d (type, then Enter)", max_lines=1, elem_id="background-pairs"
                    )
            with gr.Column(scale=3, min_width=240):
                t = gr.Slider(0.0, 1.0, value=0.5, step=0.01, label="Preview time t", elem_id="time")
                with gr.Row():
                    num_frames = gr.Slider(2, MAX_APP_FRAMES, value=17, step=1, label="Frames", elem_id="num-frames")
                    fps = gr.Slider(1, 60, value=12, step=1, label="fps", elem_id="fps")
                with gr.Row():
                    render_btn = gr.Button("Render", variant="primary", min_width=80, elem_id="render")
                    cancel_btn = gr.Button("Cancel", min_width=80, elem_id="cancel")
                summary = gr.Markdown(elem_id="summary")
                with gr.Accordion("Render settings", open=False):
                    loop = gr.Radio(list(LOOPS), value="forward", label="Loop", elem_id="loop")
                    size = gr.Radio(list(SIZES), value=SIZES[0], label="Output size", elem_id="size")
                    model = gr.Dropdown(models, value=default_model, label="Model", elem_id="model")
                    renderer = gr.Dropdown([AUTO, *RENDERERS], value=AUTO, label="Renderer", elem_id="renderer")
                    iters = gr.Slider(1, MAX_ITERS, value=2, step=1, label="Iterations ([R] models)", elem_id="iters")
        with gr.Row(equal_height=False):
            video = gr.Video(label="MP4", elem_id="video")
            gif = gr.Image(label="GIF", type="filepath", interactive=False, elem_id="gif")
            files = gr.File(
                label="Downloads: GIF, MP4, project, PNG frames", file_count="multiple", elem_id="downloads"
            )

        curve_views = [  # ui.handlers.App.curve_views
            object_editor,
            object_pairs,
            object_preset,
            background_editor,
            background_pairs,
            background_preset,
        ]
        views = [session, canvas, objects, table, *curve_views]
        preview_args = {
            "fn": friendly(app.preview),
            "inputs": [session, cache, t, model, renderer],
            "outputs": [preview],
            "show_progress": "minimal",
            "trigger_mode": "always_last",
        }
        animation_args = {
            "fn": friendly(app.animate),
            "inputs": [session, cache, workspace, model, renderer],
            "outputs": [animation],
            "show_progress": "hidden",
            "trigger_mode": "always_last",
        }

        def then_previews(event: Dependency) -> None:
            """After an edit: the still preview, then the animation (an edit restarts it)."""
            event.then(**preview_args).then(**animation_args)

        initial = (read_image(DEMO / "frame0.png"), read_image(DEMO / "frame1.png"))
        demo.load(app.open_session, [session, cache, workspace], None, show_progress="hidden")
        demo.unload(app.end_session)
        then_previews(demo.load(lambda s: (*app.load_frames(s, *initial), *initial), [session], [*views, img0, img1]))
        for image in (img0, img1):
            then_previews(image.upload(friendly(app.load_frames), [session, img0, img1], views))
        then_previews(examples.load_input_event.then(friendly(app.load_frames), [session, img0, img1], views))
        then_previews(canvas.select(friendly(app.click), [session, mode, brush], views))
        objects.select(friendly(app.select_object), [session, objects], views)
        for button, handler in (
            (new_btn, app.new_object),
            (undo_btn, app.undo),
            (delete_btn, app.delete),
            (clear_btn, app.clear),
        ):
            then_previews(button.click(friendly(handler), [session], views))
        rename_btn.click(friendly(app.rename), [session, name], views)
        then_previews(object_preset.input(friendly(app.object_preset), [session, object_preset], [*views, t]))
        then_previews(
            background_preset.input(
                friendly(app.background_preset), [session, background_preset], [session, *curve_views, t]
            )
        )
        for editor, pairs, background in (
            (object_editor, object_pairs, False),
            (background_editor, background_pairs, True),
        ):
            edited = gr.State(background)
            then_previews(
                editor.edit(
                    friendly(app.edit_curve), [session, edited], [session, *curve_views], trigger_mode="multiple"
                )
            )
            then_previews(pairs.submit(friendly(app.type_curve), [session, edited, pairs], [session, *curve_views]))
        t.release(**preview_args)
        then_previews(model.input(lambda: None))
        then_previews(renderer.input(lambda: None))
        rendering = render_btn.click(
            friendly(app.render),
            [session, workspace, num_frames, fps, loop, model, renderer, iters, size],
            [video, gif, files, summary],
            concurrency_limit=1,
            concurrency_id="render",
        )
        cancel_btn.click(lambda: "render cancelled", None, [summary], cancels=[rendering])
        # handlers.RENDER_SETTINGS, then the preview's time
        restore_outputs = [*views, num_frames, fps, loop, model, renderer, iters, t]
        then_previews(project_file.upload(friendly(app.load_project_file), [session, project_file], restore_outputs))
        then_previews(demo_project.click(friendly(app.load_demo_project), [session], restore_outputs))

        with gr.Row(visible=False):
            api_frame0, api_frame1 = gr.File(type="filepath"), gr.File(type="filepath")
            api_project, api_gif, api_mp4 = gr.Textbox(), gr.File(), gr.File()
            api_button = gr.Button()
        api_button.click(
            friendly(app.api_render_project),
            [api_frame0, api_frame1, api_project],
            [api_gif, api_mp4],
            api_name="render_project",
            concurrency_limit=1,
            concurrency_id="render",
        )
    return demo
