"""The page's components, grouped by what they are for: one small dataclass per panel, made by its builder.

The builders only create components (inside the page's ``gr.Blocks``, where they lay them out); ``ui.events.wire``
connects them to ``ui.handlers.App``, whose handlers return ``{component: value}`` updates keyed by these fields.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import gradio as gr
from gradio.blocks import Block

from interp.app.preview import PreviewCache
from interp.app.session import CROP, LETTERBOX, Session
from interp.app.workspace import Workspace
from interp.core.curves import PRESETS
from interp.core.renderers import RENDERERS
from interp.limits import MAX_APP_FRAMES, MAX_ITERS
from interp.models.paths import PROJECT_ROOT
from interp.models.registry import DEFAULT_MODEL
from interp.project.schema import LOOPS
from sam_utils.prompts import Backend
from sam_utils.segmenter import Segmenter
from ui.components import hold_while_loading_js, upload_image
from ui.curve_editor import curve_editor
from ui.lifecycle import SESSION_TTL_S, LiveSessions

DEMO = PROJECT_ROOT / "assets" / "demo"
AUTO = "auto (model default)"
INCLUDE, EXCLUDE = "include (+)", "exclude (−)"
BOX = "box (2 corners)"
BRUSH_ADD, BRUSH_ERASE = "brush +", "brush −"
OUTLINE = "outline"
EDGE_ADD, EDGE_ERASE = "edge brush +", "edge brush −"
CLICK_MODES = (INCLUDE, EXCLUDE, BOX, OUTLINE, EDGE_ADD, EDGE_ERASE, BRUSH_ADD, BRUSH_ERASE)
#: How to get Segment Anything, shown next to the segmenter while the weight-free fallback is in use (the outline
#: and the edge brush make masks without it).
GET_SAM = "for Segment Anything run <code>python -m interp weights fetch sam-vit-b</code> and restart"
SIZES = ("working size", "original size (slower)")
#: The labels of a render's results.
RESULT_LABELS = {"video": "MP4", "gif": "GIF", "files": "Downloads: GIF, MP4, project, PNG frames"}
#: How frame 1 of another shape than frame 0 is fitted to it: (shown, ``interp.app.session.fit_frame``'s ``fit``).
FIT_CHOICES = [("letterbox (black bars)", LETTERBOX), ("crop to fill", CROP)]
#: The object list's buttons (label, elem_id), in the order of ``ObjectsPanel``'s fields.
BUTTONS = (("New object", "new-object"), ("Undo", "undo"), ("Delete", "delete"), ("Clear all", "clear"))

INTRO = (
    "<b>interp</b> · manipulated frame interpolation: click objects on frame 0, give each its own distance curve "
    "(d = 0: where it is in frame 0, d = 1: where it is in frame 1), watch the preview, render."
)

STEPS = """1. Load **frame 0** and **frame 1** (or the demo scene), or a saved project.
2. **Click objects** on frame 0 to segment them (include / exclude clicks, a box from two corner clicks, an
   outline: click around the object, the path snaps to its edges, click the first point to close; brushes add or
   erase: the edge brush whole patches up to the edges, the plain brush disks; each object gets a colour).
3. Give each object its own **distance curve**; everything else follows the background curve.
4. **Scrub** the preview, then **render** a GIF and an MP4."""

#: Page styles: tighter gaps, so that the working loop fits a 1366x768 window (the page tabs at the top right, beside
#: the intro), and image labels above their images
#: (Gradio floats them over the image's top-left corner, where they hide pixels one may want to click), the image
#: taking the height left under its label (else it keeps the block's full height and its bottom rows, pushed below
#: the block, can be neither seen nor clicked).
CSS = """
.gradio-container { --layout-gap: 8px; }
.gradio-container .main { padding: 4px 12px !important; }
.gradio-container .column, .gradio-container .row { gap: 8px; }
#header p { margin: 0; }
#header p:first-child { padding-right: 190px; }
.gradio-container .main { position: relative; }
#pages > .tab-wrapper { position: absolute; top: 0; right: 12px; width: 180px; z-index: 5; padding: 0; }
#pages { gap: 0; position: static !important; }
#status { font-size: 0.85em; color: var(--body-text-color-subdued); }
#summary { min-height: 2.6em; }
.labelled-image label[data-testid=block-label].float { position: static; border-radius: 0; }
.labelled-image { display: flex !important; flex-direction: column; }
.labelled-image > label[data-testid=block-label] { flex: none; align-self: flex-start; }
.labelled-image > .image-container { flex: 1 1 0; min-height: 0; }
"""


@dataclass(frozen=True)
class States:
    """What the server keeps per page session: the session's edits, its preview handle, its temporary folder."""

    session: gr.State
    cache: gr.State
    workspace: gr.State


@dataclass(frozen=True)
class FramesPanel:
    """The folded-away section that loads frames, the demo scene and saved projects."""

    img0: gr.Image
    img1: gr.Image
    fit: gr.Radio
    examples: gr.Examples
    demo_project: gr.Button
    project_file: gr.File


@dataclass(frozen=True)
class ObjectsPanel:
    """The click canvas, what a click does, and the object list with its buttons."""

    canvas: gr.Image
    mode: gr.Radio
    brush: gr.Slider
    objects: gr.Radio
    table: gr.HTML
    new: gr.Button
    undo: gr.Button
    delete: gr.Button
    clear: gr.Button
    name: gr.Textbox
    rename: gr.Button


@dataclass(frozen=True)
class CurveControls:
    """One curve's controls: its preset menu, its keyframes typed as ``t:d`` pairs, its editor."""

    preset: gr.Dropdown
    pairs: gr.Textbox
    editor: gr.HTML


@dataclass(frozen=True)
class CurvesPanel:
    """The selected object's curve controls and the background's."""

    object: CurveControls
    background: CurveControls

    def views(self) -> list[Block]:
        """Every component that shows a curve (the outputs of an event that changes curves)."""
        return [
            self.object.editor,
            self.object.pairs,
            self.object.preset,
            self.background.editor,
            self.background.pairs,
            self.background.preset,
        ]


@dataclass(frozen=True)
class PreviewPanel:
    """The still preview at time ``t``, the preview that plays, and whether the still tints invented pixels."""

    still: gr.Image
    animation: gr.Image
    t: gr.Slider
    invented: gr.Checkbox


@dataclass(frozen=True)
class RenderPanel:
    """Render settings, the Render and Cancel buttons and the render's summary line."""

    num_frames: gr.Slider
    fps: gr.Slider
    render: gr.Button
    cancel: gr.Button
    summary: gr.Markdown
    loop: gr.Radio
    size: gr.Radio
    model: gr.Dropdown
    renderer: gr.Dropdown
    iters: gr.Slider

    def settings(self) -> list[Block]:
        """The settings a saved project holds (what loading one restores)."""
        return [self.num_frames, self.fps, self.loop, self.model, self.renderer, self.iters]


@dataclass(frozen=True)
class ResultsPanel:
    """What a render made: the MP4 and the GIF, shown, and the downloads."""

    video: gr.Video
    gif: gr.Image
    files: gr.File


@dataclass(frozen=True)
class ApiPanel:
    """The hidden components of the stateless ``render_project`` endpoint."""

    frame0: gr.File
    frame1: gr.File
    project: gr.Textbox
    gif: gr.File
    mp4: gr.File
    button: gr.Button


@dataclass(frozen=True)
class Panels:
    """Every panel of the page."""

    states: States
    frames: FramesPanel
    objects: ObjectsPanel
    curves: CurvesPanel
    preview: PreviewPanel
    render: RenderPanel
    results: ResultsPanel
    api: ApiPanel

    def views(self) -> list[Block]:
        """What depends on the session's edits: the session itself, the canvas, the object list, the curves."""
        objects = self.objects
        return [self.states.session, objects.canvas, objects.objects, objects.table, *self.curves.views()]

    def curve_views(self) -> list[Block]:
        """The session and its curves: what an edit of one curve changes."""
        return [self.states.session, *self.curves.views()]


def output_image(label: str, elem_id: str, height: str = "34vh", **settings: object) -> gr.Image:
    """An output image sized to the window (the three images of a working loop share one row; ``height`` a CSS
    length)."""
    return gr.Image(
        label=label,
        interactive=False,
        elem_id=elem_id,
        buttons=[],
        height=height,
        elem_classes=["labelled-image"],
        **{"format": "png", **settings},
    )


def build_states(sessions: LiveSessions) -> States:
    """The per-session states; a session's parts are released by ``sessions`` when its state expires."""
    # a session's parts are released when its tab closes (``demo.unload``) or its state expires: Gradio itself
    # keeps a closed tab's state for an hour; the preview handle and the folder expire with the session too
    return States(
        session=gr.State(Session(), time_to_live=SESSION_TTL_S, delete_callback=sessions.end_state),
        cache=gr.State(PreviewCache(), time_to_live=SESSION_TTL_S, delete_callback=PreviewCache.forget),
        workspace=gr.State(Workspace(), time_to_live=SESSION_TTL_S, delete_callback=Workspace.cleanup),
    )


def build_header(segmenter: Segmenter, models: list[str]) -> None:
    """The page's first lines: what it is, the segmenter in use and the models whose weights are here."""
    # the page's styles ride in the header's ``head`` (Gradio 6 takes ``css`` only in ``launch``)
    get_sam = "" if segmenter.backend is Backend.SAM else f" · {GET_SAM}"
    gr.HTML(
        f"<p>{INTRO}</p><p id='status'>Segmentation: <b>{html.escape(segmenter.describe())}</b>{get_sam} · models "
        f"with weights: {', '.join(models)}</p>",
        head=f"<style>{CSS}</style>",
        js_on_load=hold_while_loading_js("animation"),  # no empty flash as the playing preview swaps GIFs
        elem_id="header",
    )


def build_frames_panel() -> FramesPanel:
    """The section that loads frames, the demo scene or a project (folded away: the demo is preloaded)."""
    with gr.Accordion("Frames, demo scene and projects", open=False, elem_id="frames-accordion"):
        gr.Markdown(STEPS)
        with gr.Row():
            img0, img1 = (
                # PNG: a frame the page puts in a box (the demo, a project's, one given back by Undo) is read back
                # from it unchanged when the other frame is uploaded (Gradio's default WebP would alter it)
                upload_image(
                    label=f"Frame {i}", sources=["upload", "clipboard"], height=170, elem_id=f"frame{i}", format="png"
                )
                for i in range(2)
            )
            with gr.Column():
                fit = gr.Radio(
                    FIT_CHOICES, value=LETTERBOX, label="Frame 1 of another shape than frame 0", elem_id="fit"
                )
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
    return FramesPanel(img0, img1, fit, examples, demo_project, project_file)


def _button(label: str, elem_id: str) -> gr.Button:
    """A small button of the object list."""
    return gr.Button(label, size="sm", min_width=60, elem_id=elem_id)


def build_objects_panel(canvas: gr.Image) -> ObjectsPanel:
    """Two columns: the click mode and brush, then the object list and its buttons (``canvas`` is made with the
    other images of the working loop)."""
    with gr.Column(scale=3, min_width=240):
        mode = gr.Radio(list(CLICK_MODES), value=INCLUDE, label="Click mode", elem_id="mode")
        brush = gr.Slider(1, 40, value=8, step=1, label="Brush radius (px)", elem_id="brush-radius")
    with gr.Column(scale=3, min_width=240):
        objects = gr.Radio([], label="Objects (select to edit)", elem_id="objects")
        table = gr.HTML(elem_id="object-table")  # ui.handlers.object_table escapes the names
        with gr.Row():
            buttons = [_button(*labels) for labels in BUTTONS]
        with gr.Row():
            name = gr.Textbox(show_label=False, placeholder="new name", scale=3, elem_id="rename-box")
            rename = gr.Button("Rename", size="sm", scale=1, min_width=60, elem_id="rename")
    return ObjectsPanel(canvas, mode, brush, objects, table, *buttons, name, rename)


def build_curves_panel() -> CurvesPanel:
    """The selected object's curve (preset, typed keyframes, editor) and, folded away, the background's."""
    with gr.Column(scale=4, min_width=300):
        with gr.Row():
            object_preset = gr.Dropdown(
                list(PRESETS), value=None, label="Object curve preset", min_width=120, elem_id="object-preset"
            )
            object_pairs = gr.Textbox(
                label="Keyframes t:d (Enter)", lines=1, max_lines=3, scale=2, elem_id="object-pairs"
            )
        object_editor = curve_editor("object-curve")
        with gr.Accordion("Background curve", open=False):
            background_preset = gr.Dropdown(
                list(PRESETS), value="linear", label="Background preset", elem_id="background-preset"
            )
            background_editor = curve_editor("background-curve")
            background_pairs = gr.Textbox(
                label="Background keyframes t:d (type, then Enter)", lines=1, max_lines=3, elem_id="background-pairs"
            )
    return CurvesPanel(
        CurveControls(object_preset, object_pairs, object_editor),
        CurveControls(background_preset, background_pairs, background_editor),
    )


def build_render_panel(models: list[str]) -> RenderPanel:
    """Frames, fps, Render / Cancel, the summary line and, folded away, the other settings (``models``: those whose
    weights are here)."""
    default_model = DEFAULT_MODEL if DEFAULT_MODEL in models else models[0]
    with gr.Row():
        num_frames = gr.Slider(2, MAX_APP_FRAMES, value=17, step=1, label="Frames", elem_id="num-frames")
        fps = gr.Slider(1, 60, value=12, step=1, label="fps", elem_id="fps")
    with gr.Row():
        render = gr.Button("Render", variant="primary", min_width=80, elem_id="render")
        cancel = gr.Button("Cancel", min_width=80, elem_id="cancel")
    summary = gr.Markdown(elem_id="summary")
    with gr.Accordion("Render settings", open=False):
        loop = gr.Radio(list(LOOPS), value="forward", label="Loop", elem_id="loop")
        size = gr.Radio(list(SIZES), value=SIZES[0], label="Output size", elem_id="size")
        model = gr.Dropdown(models, value=default_model, label="Model", elem_id="model")
        renderer = gr.Dropdown([AUTO, *RENDERERS], value=AUTO, label="Renderer", elem_id="renderer")
        iters = gr.Slider(1, MAX_ITERS, value=2, step=1, label="Iterations ([R] models)", elem_id="iters")
    return RenderPanel(num_frames, fps, render, cancel, summary, loop, size, model, renderer, iters)


def build_results_panel() -> ResultsPanel:
    """The row under the working loop: the MP4 and GIF a render made, and the downloads."""
    with gr.Row(equal_height=False):
        video = gr.Video(label=RESULT_LABELS["video"], elem_id="video")
        gif = gr.Image(label=RESULT_LABELS["gif"], type="filepath", interactive=False, elem_id="gif")
        files = gr.File(label=RESULT_LABELS["files"], file_count="multiple", elem_id="downloads")
    return ResultsPanel(video, gif, files)


def build_api_panel() -> ApiPanel:
    """The ``render_project`` endpoint's inputs and outputs, not shown on the page."""
    with gr.Row(visible=False):
        frame0, frame1 = gr.File(type="filepath"), gr.File(type="filepath")
        project, gif, mp4 = gr.Textbox(), gr.File(), gr.File()
        button = gr.Button()
    return ApiPanel(frame0, frame1, project, gif, mp4, button)


def build_panels(segmenter: Segmenter, models: list[str], sessions: LiveSessions) -> Panels:
    """The two-frame page, laid out (call inside its tab, under ``build_header``): the working loop (click canvas,
    previews, objects, curves, render) fits a 1366x768 window; frames and projects load from a section folded away
    above it."""
    states = build_states(sessions)
    frames = build_frames_panel()
    with gr.Row(equal_height=True):
        canvas = output_image("Click objects on frame 0", "canvas")
        still = output_image("Preview at time t", "preview")
        animation = output_image("Playing", "animation", type="filepath")
    with gr.Row(equal_height=False):
        objects = build_objects_panel(canvas)
        curves = build_curves_panel()
        with gr.Column(scale=3, min_width=240):
            t = gr.Slider(0.0, 1.0, value=0.5, step=0.01, label="Preview time t", elem_id="time")
            invented = gr.Checkbox(False, label="Tint invented pixels (background no frame shows)",
                                   elem_id="invented", container=False)  # fmt: skip
            render = build_render_panel(models)
    results = build_results_panel()
    api = build_api_panel()
    return Panels(states, frames, objects, curves, PreviewPanel(still, animation, t, invented), render, results, api)
