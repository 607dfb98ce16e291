"""The clip page's components (the page's second tab): upload and scrub a clip, click and track objects, give each a
speed curve, preview, render. Only creates components, laid out to fit a 1366x768 window; ``ui.clip_events`` wires
them to ``ui.clip_handlers.ClipPage``.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
from gradio.blocks import Block

from interp.app.clip_session import CLIP_PRESETS, ClipSession
from interp.app.workspace import Workspace
from interp.limits import MAX_CLIP_FRAMES, MAX_CLIP_OUTPUT_FRAMES, MAX_CLIP_SECONDS
from interp.models.registry import DEFAULT_MODEL
from ui.curve_editor import curve_editor
from ui.lifecycle import SESSION_TTL_S, LiveSessions
from ui.panels import EXCLUDE, INCLUDE, CurveControls, output_image

CLIP_STEPS = (
    f"Upload a video (at most {MAX_CLIP_SECONDS:g} s, {MAX_CLIP_FRAMES} frames), scrub to a frame, **click** an "
    "object, press **Track**; click it again on another frame to fix the masks there. Give each object a curve "
    "(output time → clip time) and render."
)
#: The object controls' buttons (label, elem_id).
CLIP_BUTTONS = (
    ("New object", "clip-new"),
    ("Delete", "clip-delete"),
    ("Clear frame", "clip-clear-frame"),
)


@dataclass(frozen=True)
class ClipApi:
    """The hidden components of the stateless ``render_clip_project`` endpoint: a video and a clip project's JSON
    in, an MP4 out."""

    video: gr.File
    project: gr.Textbox
    mp4: gr.File
    button: gr.Button


@dataclass(frozen=True)
class ClipPanels:
    """Every component of the clip page."""

    session: gr.State
    workspace: gr.State
    upload: gr.File
    info: gr.Markdown
    canvas: gr.Image
    frame: gr.Slider
    strip: gr.Image
    mode: gr.Radio
    objects: gr.Radio
    new: gr.Button
    delete: gr.Button
    clear_frame: gr.Button
    track: gr.Button
    cancel_track: gr.Button
    track_status: gr.Markdown
    curves: CurveControls
    background: CurveControls
    still: gr.Image
    animation: gr.Image
    t: gr.Slider
    num_frames: gr.Slider
    fps: gr.Slider
    model: gr.Dropdown
    render: gr.Button
    cancel: gr.Button
    summary: gr.Markdown
    video: gr.Video
    files: gr.File
    project_file: gr.File
    api: ClipApi

    def views(self) -> list[Block]:
        """What depends on the session's objects and masks: the session, canvas, strip, object list, status, curves."""
        return [self.session, self.canvas, self.strip, self.objects, self.track_status, *self.curve_views()[1:]]

    def curve_views(self) -> list[Block]:
        """The session and its curves (editor, typed keyframes, preset) for the selected object and the background."""
        return [
            self.session,
            self.curves.editor,
            self.curves.pairs,
            self.curves.preset,
            self.background.editor,
            self.background.pairs,
            self.background.preset,
        ]


def _curve_controls(what: str, prefix: str) -> CurveControls:
    with gr.Row():
        preset = gr.Dropdown(
            list(CLIP_PRESETS), value=None, label=f"{what} preset", min_width=120, elem_id=f"{prefix}-preset"
        )
        pairs = gr.Textbox(label="Keyframes u:s (Enter)", lines=1, max_lines=3, scale=2, elem_id=f"{prefix}-pairs")
    return CurveControls(preset, pairs, curve_editor(f"{prefix}-curve"))


def build_clip_panels(models: list[str], sessions: LiveSessions) -> ClipPanels:
    """The clip page, laid out (call inside its tab): the clip with its frame slider and mask strip, the previews,
    the object and curve controls and the render settings fit a 1366x768 window."""
    session = gr.State(ClipSession(), time_to_live=SESSION_TTL_S, delete_callback=sessions.end_clip_state)
    workspace = gr.State(Workspace(), time_to_live=SESSION_TTL_S, delete_callback=Workspace.cleanup)
    default_model = DEFAULT_MODEL if DEFAULT_MODEL in models else models[0]
    with gr.Row(equal_height=True):
        canvas = output_image("Click objects on the clip's frame", "clip-canvas", "30vh")
        still = output_image("Preview at output time u", "clip-preview", "30vh")
        animation = output_image("Playing (low resolution)", "clip-animation", "30vh", type="filepath")
    with gr.Row(equal_height=True):
        frame = gr.Slider(
            0,
            1,
            value=0,
            step=1,
            label="Clip frame (or click the mask strip)",
            scale=1,
            min_width=220,
            elem_id="clip-frame",
        )
        strip = gr.Image(
            show_label=False,
            interactive=False,
            elem_id="clip-strip",
            buttons=[],
            height=78,
            format="png",
            scale=3,
            container=False,
        )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=220):
            upload = gr.File(
                label="Upload a clip (video)", file_types=["video"], type="filepath", height=70, elem_id="clip-upload"
            )
            info = gr.Markdown(CLIP_STEPS, elem_id="clip-info")
            project_file = gr.File(
                label="Load a clip project (.json) onto this clip",
                file_types=[".json"],
                type="filepath",
                height=70,
                elem_id="clip-project-upload",
            )
            mode = gr.Radio([INCLUDE, EXCLUDE], value=INCLUDE, label="Click mode", elem_id="clip-mode")
        with gr.Column(scale=3, min_width=240):
            objects = gr.Radio([], label="Objects (select to edit)", elem_id="clip-objects")
            with gr.Row():
                new, delete, clear_frame = (
                    gr.Button(label, size="sm", min_width=60, elem_id=elem_id) for label, elem_id in CLIP_BUTTONS
                )
            with gr.Row():
                track = gr.Button("Track", variant="primary", size="sm", min_width=60, elem_id="clip-track")
                cancel_track = gr.Button("Cancel", size="sm", min_width=60, elem_id="clip-cancel-track")
            track_status = gr.Markdown(elem_id="clip-track-status")
        with gr.Column(scale=4, min_width=300):
            curves = _curve_controls("Object", "clip-object")
            with gr.Accordion("Background curve", open=False):
                background = _curve_controls("Background", "clip-background")
        with gr.Column(scale=3, min_width=220):
            t = gr.Slider(0.0, 1.0, value=0.5, step=0.01, label="Preview output time u", elem_id="clip-time")
            with gr.Row():
                render = gr.Button("Render MP4", variant="primary", min_width=80, elem_id="clip-render")
                cancel = gr.Button("Cancel", min_width=80, elem_id="clip-cancel")
            summary = gr.Markdown(elem_id="clip-summary")
            with gr.Accordion("Render settings", open=False, elem_id="clip-settings"):
                num_frames = gr.Slider(
                    2, MAX_CLIP_OUTPUT_FRAMES, value=16, step=1, label="Output frames", elem_id="clip-num-frames"
                )
                fps = gr.Slider(1, 60, value=12, step=1, label="fps", elem_id="clip-fps")
                model = gr.Dropdown(models, value=default_model, label="Model", elem_id="clip-model")
    with gr.Row(equal_height=False):
        video = gr.Video(label="MP4", elem_id="clip-video")
        files = gr.File(label="Downloads: MP4, project", file_count="multiple", elem_id="clip-downloads")
    with gr.Row(visible=False):
        api = ClipApi(gr.File(type="filepath"), gr.Textbox(), gr.File(), gr.Button())
    return ClipPanels(
        session, workspace, upload, info, canvas, frame, strip, mode, objects, new, delete, clear_frame, track,
        cancel_track, track_status, curves, background, still, animation, t, num_frames, fps, model, render,
        cancel, summary, video, files, project_file, api,
    )  # fmt: skip
