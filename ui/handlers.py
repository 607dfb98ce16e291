"""Event handlers of the web app: each turns a UI event into calls to ``interp`` and ``sam_utils``.

No logic lives here beyond wiring: state edits are ``interp.app.session``, the live frame is ``interp.app.preview``,
renders are ``interp.project.pipeline``, segmentation is ``sam_utils``. Handlers return ``{component: value}``
updates keyed by the page's panels (``ui.panels``); a component left out keeps what it shows. ``friendly`` is the
one error boundary: the project's errors become messages, anything else is logged as a bug, and the session
survives both.
"""

from __future__ import annotations

import html
import inspect
import logging
from collections.abc import Callable, Iterator
from functools import partial, wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import gradio as gr
import numpy as np
from gradio.blocks import Block

from interp.app import session as ops
from interp.app.animation import animation_steps, edit_signature
from interp.app.locks import hold_per_step
from interp.app.preview import ModelPool, PreviewCache, available_models, preview_frame
from interp.app.session import PendingOutline, Session
from interp.app.workspace import Workspace, zip_files
from interp.core.colors import object_color, to_hex
from interp.core.curves import Curve, most_visible_time
from interp.core.keyframes import apply_edit, format_pairs, parse_pairs
from interp.engine.manipulator import choose_renderer
from interp.errors import InputError, InterpError
from interp.io.images import read_uploaded_image
from interp.limits import (
    DEFAULT_MAX_JOB_MEGAPIXELS,
    MAX_WORKING_SIDE,
    check_frame_count,
    check_job_work,
    check_object_count,
    render_work,
)
from interp.models.registry import DEFAULT_MODEL
from interp.project.inputs import frame_sizes, iter_load_inputs, load_inputs, project_work
from interp.project.pipeline import InventedShare, iter_project_outputs, relay, render_project
from interp.project.schema import (
    Box,
    Project,
    decode_json,
    load_project,
    parse_project,
    project_json,
    project_to_dict,
)
from sam_utils.segmenter import Segmenter
from sam_utils.tools import MaskTools
from ui.canvas import draw_canvas
from ui.curve_editor import editor_value
from ui.lifecycle import LiveSessions, return_freed_memory
from ui.panels import (
    AUTO,
    BOX,
    BRUSH_ADD,
    BRUSH_ERASE,
    DEMO,
    EDGE_ADD,
    EDGE_ERASE,
    EXCLUDE,
    INCLUDE,
    OUTLINE,
    RESULT_LABELS,
    Panels,
)

log = logging.getLogger(__name__)

#: What the page says when a handler fails for a reason other than the project's errors (a bug): the details,
#: which may name the server's files, go to the server log only.
INTERNAL_ERROR = "internal error: the details are in the server log"

#: A handler's result: the new value (or ``gr.update``) of each component it changes.
Updates = dict[Block, Any]

#: What the page says of a render with no objects.
PLAIN_INTERPOLATION = "no objects, so this is plain interpolation between the two frames"
#: What marks a render's results on the page while a newer render runs (or after it was cancelled).
PREVIOUS = "previous render"


def plain(text: str) -> str:
    """``text`` as the page must show it: Gradio renders messages (``gr.Error``, ``gr.Warning``, ``gr.Info``) and
    Markdown as HTML, so user-supplied strings in them (names, values quoted by errors) must not become markup."""
    return html.escape(text, quote=False)


def shown_error(exc: Exception, handler: str, markup: bool = True) -> gr.Error:
    """The message the page shows for ``exc``, raised by ``handler``: the project's errors (``InterpError``) as
    their text; any other exception is a bug, logged with its traceback, and shown as ``INTERNAL_ERROR``.

    ``markup``: the message is shown as HTML (the page's toasts), so its text is escaped (``plain``); an API client
    gets plain text and sees it as written. Gradio prints no traceback of its own for either (``print_exception``):
    a refused request is no news for the server's log (each printed about 2 KB there), and a bug is logged once.
    """
    if isinstance(exc, gr.Error):
        return exc
    if isinstance(exc, InterpError):
        return gr.Error(plain(str(exc)) if markup else str(exc), print_exception=False)
    log.exception("bug in the app's handler %s", handler)
    return gr.Error(INTERNAL_ERROR, print_exception=False)


def friendly(fn: Callable[..., Any], markup: bool = True) -> Callable[..., Any]:
    """``fn`` behind the app's error boundary (``shown_error``; ``markup``: messages escaped for the page): a
    message instead of a stack trace (generators too)."""
    if inspect.isgeneratorfunction(fn):

        @wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise shown_error(exc, fn.__qualname__, markup) from None

        return generator

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise shown_error(exc, fn.__qualname__, markup) from None

    return wrapper


Handler = TypeVar("Handler", bound=Callable[..., Any])


def edits_session(method: Handler) -> Handler:
    """An ``App`` handler ``method(self, session, ...)`` that edits ``session``, run holding the session's
    ``edit_lock``: one session's edits happen one after another even when Gradio runs them at once (different
    events have their own concurrency groups). Other sessions are not held up."""

    @wraps(method)
    def locked(self: App, session: Session, *args: Any, **kwargs: Any) -> Any:
        with session.edit_lock:
            return method(self, session, *args, **kwargs)

    return cast(Handler, locked)


#: A frame as a handler receives it: an ``H x W x 3`` uint8 array, the path of an uploaded file, or nothing.
Upload = np.ndarray | str | None


def _frame(image: np.ndarray | str, what: str) -> np.ndarray:
    """An uploaded frame as ``H x W x 3`` uint8 RGB (read from its path when it is one)."""
    return read_uploaded_image(image, what) if isinstance(image, str) else image


def canvas(session: Session) -> np.ndarray | None:
    """Frame 0 with every object's mask and clicks drawn in its colour (None: no frames yet)."""
    if session.img0 is None:
        return None
    return draw_canvas(session.img0, session.objects, session.selected, session.box_corner, session.outline)


def object_choices(session: Session) -> gr.Radio:
    """The object list's choices, the selected object chosen."""
    names = [o.name for o in session.objects]
    value = names[session.selected] if session.selected is not None and names else None
    return gr.Radio(choices=names, value=value)


def object_table(session: Session) -> str:
    """The object list as HTML (one line per object); names are escaped, so they show as the text they are."""
    if not session.objects:
        return "No objects yet: click an object on frame 0 (everything else is background)."
    rows = []
    for index, obj in enumerate(session.objects):
        colour = to_hex(object_color(index))
        area = int(obj.mask.sum()) if obj.mask is not None else 0
        score = f", score {obj.score:.2f}" if obj.score is not None else ""
        mark = " ◀" if index == session.selected else ""
        box = ", box" if obj.box is not None else ""
        brush = f", {len(obj.brush)} brush dabs" if obj.brush else ""
        patches = f", {len(obj.patches)} outline / edge edits" if obj.patches else ""
        rows.append(
            f"<span style='color:{colour}'>■</span> <b>{plain(obj.name)}</b>: "
            f"{len(obj.clicks)} clicks{box}{brush}{patches}, {area} px{score}{mark}"
        )
    return "<br>".join(rows)


def curve_preset(session: Session) -> str | None:
    """The preset the selected object's curve is, for the preset menu (None: no object, or a custom curve)."""
    return session.objects[session.selected].curve.preset_name() if session.selected is not None else None


def visible_time(session: Session) -> float:
    """Where the still preview shows the edit best (``interp.core.curves.most_visible_time``): set on load and on a
    preset change (at t = 0.5 a reversed curve looks like a linear one)."""
    return most_visible_time([*(o.curve for o in session.objects), session.background])


class App:
    """Event handlers bound to the page's panels, one model pool and one segmenter (both shared by every session)."""

    def __init__(
        self,
        pool: ModelPool,
        segmenter: Segmenter,
        panels: Panels,
        sessions: LiveSessions,
        max_job_megapixels: float = DEFAULT_MAX_JOB_MEGAPIXELS,
    ) -> None:
        self.pool = pool
        self.segmenter = segmenter
        self.tools = MaskTools()  # the outline and the edge brush, prepared once per frame
        self.panels = panels
        self.sessions = sessions
        self.max_job_megapixels = max_job_megapixels
        self.api_workspace = Workspace()
        #: the clip page's handlers (``ui.clip_handlers.ClipPage``), set by ``ui.layout.build_page``
        self.clip_page: Any = None

    def check_job(self, num_frames: int, frame: np.ndarray) -> None:
        """The server's bounds on one render of ``num_frames`` frames the size of ``frame`` (page and API alike)."""
        check_frame_count(num_frames)
        check_job_work(render_work(num_frames, frame.shape[0], frame.shape[1]), self.max_job_megapixels)

    def check_project(self, project: Project, frames: tuple[Path, Path] | None = None, num_frames: int = 0) -> None:
        """The server's bounds on loading ``project`` (from ``frames`` when given) and rendering ``num_frames`` of
        it, from the images' headers, before any pixel is decoded (page and API alike): the object count, each
        frame's size and the job's work (``interp.project.inputs.project_work``)."""
        check_object_count(len(project.objects))
        size = frame_sizes(project, frames, bounded=True)
        work = project_work(project, size, MAX_WORKING_SIDE, num_frames)
        check_job_work(work, self.max_job_megapixels)

    # ------------------------------------------------------------------ views
    def curve_views(self, session: Session) -> Updates:
        """The session, and the curve editors, their typed keyframes and preset menus (the selected object's and
        the background's)."""
        selected = session.objects[session.selected] if session.selected is not None else None
        title = "drag a keyframe · click to add · double-click to remove"
        curves = self.panels.curves
        return {
            self.panels.states.session: session,
            curves.object.editor: editor_value(
                session, False, title if selected else "select an object to edit its curve"
            ),
            curves.object.pairs: format_pairs(selected.curve) if selected else "",
            curves.object.preset: gr.update(value=curve_preset(session)),
            curves.background.editor: editor_value(session, True, title),
            curves.background.pairs: format_pairs(session.background),
            curves.background.preset: gr.update(value=session.background.preset_name()),
        }

    def views(self, session: Session) -> Updates:
        """Every view that depends on the session (``Panels.views``)."""
        objects = self.panels.objects
        return {
            objects.canvas: canvas(session),
            objects.objects: object_choices(session),
            objects.table: object_table(session),
            **self.curve_views(session),
        }

    def with_visible_time(self, updates: Updates, session: Session) -> Updates:
        """``updates``, and the preview's time moved to where the session's curves show best."""
        return {**updates, self.panels.preview.t: visible_time(session)}

    # ------------------------------------------------------------------ segmentation
    def segment(
        self, img0: np.ndarray, img1: np.ndarray, clicks: list, box: Box | None = None
    ) -> tuple[np.ndarray, float]:
        """The mask and score the segmenter gives for ``clicks`` (and ``box``) on frame 0, frame 1 its motion cue."""
        result = self.segmenter.segment(img0, clicks, box, next_image=img1)
        return result.mask, result.score

    def segment_mask(self, img0: np.ndarray, img1: np.ndarray, clicks: list, box: Box | None = None) -> np.ndarray:
        """``segment`` without the score: what projects' clicked objects need (``interp.project.schema.SegmentFn``)."""
        return self.segment(img0, img1, clicks, box)[0]

    # ------------------------------------------------------------------ handlers
    @edits_session
    def start(self, session: Session, frames: tuple[np.ndarray, np.ndarray]) -> Updates:
        """The page opened: the demo pair (``frames``) loaded into the session and shown in the frame uploads."""
        img0, img1 = self.panels.frames.img0, self.panels.frames.img1
        return {**self.load_frames(session, *frames), img0: frames[0], img1: frames[1]}

    @edits_session
    def load_frames(self, session: Session, img0: Upload, img1: Upload, fit: str = ops.LETTERBOX) -> Updates:
        """Load a frame pair (``H x W x 3`` uint8 arrays, or the paths of uploaded files); frame 1 of another shape
        is fitted to frame 0 as ``fit`` says (``interp.app.session.fit_frame``). Objects stay when frame 0 is the same
        picture; otherwise they go, with a notice, and Undo brings them back (``interp.app.session.set_frames``).

        A pair that cannot be used (an unreadable upload, a frame too small) is a warning, not an error: the session
        keeps its frames, and an upload box whose file could not be read shows the frame the session still uses.
        """
        if img0 is None or img1 is None:
            return self.views(session)
        boxes = (self.panels.frames.img0, self.panels.frames.img1)
        frames = []
        for index, image in enumerate((img0, img1)):
            try:
                frames.append(_frame(image, f"frame {index}"))
            except InputError as exc:
                gr.Warning(plain(str(exc)))
                return {**self.views(session), boxes[index]: (session.img0, session.img1)[index]}
        try:
            notices = ops.set_frames(session, *frames, fit=fit)
        except InputError as exc:
            gr.Warning(plain(str(exc)))
            return self.views(session)
        for notice in notices:
            gr.Info(plain(notice))
        return self.views(session)

    @edits_session
    def click(self, session: Session, mode: str, radius: float, evt: gr.SelectData) -> Updates:
        """A click on the canvas, by mode: include / exclude point, a box corner, an outline point, or a brush dab
        (edge brush: whole superpixels; plain brush: a disk)."""
        x, y = (float(v) for v in evt.index)
        if mode != OUTLINE and session.outline.points:
            session.outline = PendingOutline()  # another tool drops an outline left open
        if mode == OUTLINE:
            image = session.img0
            closed = ops.outline_click(
                session,
                x,
                y,
                lambda start, end: self.tools.outline_path(image, start, end),
                lambda paths: self.tools.close_outline(image, paths),
            )
            if closed is None and len(session.outline.points) == 1:
                gr.Info("outline: click around the object; click the first point again to close it")
        elif mode in (EDGE_ADD, EDGE_ERASE):
            image = session.img0
            ops.edge_paint(
                session, x, y, float(radius), mode == EDGE_ADD, lambda *dab: self.tools.edge_brush(image, *dab)
            )
        elif mode in (INCLUDE, EXCLUDE):
            ops.click(session, x, y, mode == INCLUDE, self.segment)
        elif mode == BOX:
            if ops.box_click(session, x, y, self.segment) is None:
                gr.Info("box: now click the opposite corner")
        elif mode in (BRUSH_ADD, BRUSH_ERASE):
            ops.paint(session, x, y, float(radius), mode == BRUSH_ADD)
        else:
            raise InputError(f"unknown click mode {mode!r}")
        return self.views(session)

    @edits_session
    def select_object(self, session: Session, name: str | None) -> Updates:
        """An object chosen in the object list (a name no object has keeps the selection)."""
        names = [o.name for o in session.objects]
        session.selected = names.index(name) if name in names else session.selected
        return self.views(session)

    @edits_session
    def new_object(self, session: Session) -> Updates:
        """*New object*: an empty object, selected, for the next clicks."""
        if not session.has_frames:
            raise InputError("load frame 0 and frame 1 first")
        ops.add_object(session)
        return self.views(session)

    @edits_session
    def undo(self, session: Session) -> Updates:
        """*Undo*: the last edit undone (a click, box or brush dab, a curve, new frames or a loaded project; frames
        come back in their upload boxes too). That nothing is left to undo is said once, however often it is
        pressed."""
        edit = ops.undo(session)
        if not session.history and not session.outline.points and not session.told_nothing_to_undo:
            session.told_nothing_to_undo = True
            gr.Info("nothing to undo" if edit is None else "that was the last edit: nothing left to undo")
        if edit is not None and edit.kind == "frames":
            return {**self.views(session), **self.frame_boxes(session)}
        return self.views(session)

    def frame_boxes(self, session: Session) -> Updates:
        """The frame upload boxes showing the session's frames."""
        return {self.panels.frames.img0: session.img0, self.panels.frames.img1: session.img1}

    @edits_session
    def delete(self, session: Session) -> Updates:
        """*Delete*: the selected object removed."""
        ops.delete_object(session, session.selected)
        return self.views(session)

    @edits_session
    def clear(self, session: Session) -> Updates:
        """*Clear all*: every object removed."""
        ops.clear_objects(session)
        return self.views(session)

    @edits_session
    def rename(self, session: Session, name: str) -> Updates:
        """*Rename*: the selected object's new name."""
        ops.rename_object(session, session.selected, name)
        return self.views(session)

    @edits_session
    def object_preset(self, session: Session, preset: str) -> Updates:
        """A preset chosen for the selected object's curve; the preview's time moves to where it shows."""
        if session.selected is None:
            raise InputError("select an object first (or click one on frame 0)")
        ops.set_curve(session, session.selected, Curve.preset(preset))
        return self.with_visible_time(self.views(session), session)

    @edits_session
    def background_preset(self, session: Session, preset: str) -> Updates:
        """A preset chosen for the background's curve; the preview's time moves to where it shows."""
        ops.set_curve(session, None, Curve.preset(preset))
        return self.with_visible_time(self.curve_views(session), session)

    def _edited(self, session: Session, background: bool) -> int | None:
        """The index ``set_curve`` takes for the curve an editor edits (None: the background)."""
        if background:
            return None
        if session.selected is None:
            raise InputError("select an object first (or click one on frame 0)")
        return session.selected

    @edits_session
    def edit_curve(self, session: Session, background: bool, evt: gr.EventData) -> Updates:
        """A keyframe dragged, added or removed in a curve editor (``interp.core.keyframes.apply_edit``)."""
        index = self._edited(session, background)
        curve = session.background if index is None else session.objects[index].curve
        edit = evt._data if isinstance(evt._data, dict) else {}
        ops.set_curve(session, index, apply_edit(curve, edit))
        return self.curve_views(session)

    @edits_session
    def type_curve(self, session: Session, background: bool, text: str) -> Updates:
        """Keyframes typed as ``t:d`` pairs (``interp.core.keyframes.parse_pairs``)."""
        ops.set_curve(session, self._edited(session, background), parse_pairs(text))
        return self.curve_views(session)

    def preview(
        self, session: Session, cache: PreviewCache, t: float, model: str, renderer: str, invented: bool = False
    ) -> Updates:
        """The still preview: the manipulated frame at time ``t`` (none without frames), with invented pixels
        tinted when ``invented``."""
        still = self.panels.preview.still
        if not session.has_frames:
            return {still: None}
        with_renderer = None if renderer == AUTO else renderer
        frame = preview_frame(session.snapshot(), cache, self.pool, model, t, with_renderer, show_invented=invented)
        return {still: frame}

    def animate(
        self, session: Session, cache: PreviewCache, workspace: Workspace, model: str, renderer: str
    ) -> Iterator[Updates]:
        """The preview that plays: GIFs of 3, 5, 9 and 17 frames as they are ready (``interp.app.animation``). An edit
        made meanwhile stops it; the event that edit starts (``trigger_mode="always_last"``) shows the new one."""
        animation = self.panels.preview.animation
        if not session.has_frames:
            yield {animation: None}
            return
        with_renderer = None if renderer == AUTO else renderer
        playing = session.snapshot()
        shown = edit_signature(playing, model, with_renderer)
        folder = workspace.preview_dir()
        steps = animation_steps(
            playing,
            cache,
            self.pool,
            model,
            with_renderer,
            folder,
            stale=lambda: edit_signature(session, model, with_renderer) != shown,
        )
        for path, count in steps:
            yield {animation: gr.Image(value=str(path), label=f"Playing: {count} frames")}

    def render(
        self,
        session: Session,
        workspace: Workspace,
        num_frames: int,
        fps: float,
        loop: str,
        model: str,
        renderer: str,
        iters: int,
        size: str,
        shown: list[str] | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (gradio's API)
    ) -> Iterator[Updates]:
        """Render the sequence; a generator so that Cancel stops it between frames (partial files are removed).

        ``shown``: the downloads on the page (a previous render's): until this render is done they are labelled as
        the previous render's, so a cancelled or failed render does not pass them off as its own. Progress is
        Gradio's bar alone."""
        if not session.has_frames:
            raise InputError("load frame 0 and frame 1 first")
        settings = {
            "num_frames": int(num_frames),
            "fps": float(fps),
            "loop": loop,
            "model": model,
            "renderer": None if renderer == AUTO else renderer,
            "iters": int(iters),
        }
        with session.edit_lock:  # one consistent snapshot: edits made during the render do not reach it
            inputs = ops.to_inputs(session, original_size=size.startswith("original"))
            project = ops.to_project(session, **settings)
        self.check_job(int(num_frames), inputs.img0)
        if not inputs.masks:
            gr.Info(f"rendering with no objects: {PLAIN_INTERPOLATION}")
        # Yield before any work: Gradio can close a generator (Cancel, a client gone) only from its first yield on; a
        # render cancelled earlier went on to its first frame and then stayed suspended, holding the render lock.
        yield self._rendering(bool(shown))
        parse_project(project_to_dict(project))  # the same validation a saved file gets
        interpolator = self.pool.get(model)
        out = workspace.new_render_dir()
        # the model is held per network call; files are written and encoded without it (previews go in between)
        invented = InventedShare()
        frames = hold_per_step(render_project(project, inputs, interpolator, invented=invented), self.pool.lock)
        steps = iter_project_outputs(
            frames,
            out,
            project.fps,
            gif=True,
            mp4=True,
            loop=project.loop,
            renderer=choose_renderer(interpolator, project.renderer),
        )
        result = yield from relay(steps, partial(self._progress, progress, project.num_frames))
        project_path = out / "project.json"
        project_path.write_text(project_json(project), encoding="utf-8")
        frames_zip = zip_files(result.frames, out / "frames.zip")
        files = [str(result.gif), str(result.mp4), str(project_path), str(frames_zip)]
        summary = (
            f"Done: {len(result.frames)} frames at {inputs.img0.shape[1]}x{inputs.img0.shape[0]}, {model}, "
            f"renderer {result.renderer}, {invented.share:.1%} of pixels invented (no frame shows them)"
        )
        if not inputs.masks:
            summary += f". {PLAIN_INTERPOLATION}"
        results = self.panels.results
        yield {
            results.video: gr.update(value=str(result.mp4), label=RESULT_LABELS["video"]),
            results.gif: gr.update(value=str(result.gif), label=RESULT_LABELS["gif"]),
            results.files: gr.update(value=files, label=RESULT_LABELS["files"]),
            self.panels.render.summary: plain(summary),
        }

    @edits_session
    def load_project_file(self, session: Session, file: str | None) -> Updates:
        """Restore a session from an uploaded project, which may reference no file on the server (only data URIs)."""
        if file is None:
            return self.views(session)
        document = decode_json(Path(file).read_bytes(), "that file is not a project: it")
        return self.restore_project(session, parse_project(document))

    @edits_session
    def load_demo_project(self, session: Session) -> Updates:
        """Restore the demo project (the one project whose files the app reads, from ``assets/demo``)."""
        return self.restore_project(session, load_project(DEMO / "project.json"))

    def restore_project(self, session: Session, project: Project) -> Updates:
        """Load a parsed project's pixels into the session (one undoable edit); the views, the frames in their upload
        boxes, the render settings and the preview's time, and the project file box emptied for the next file (the
        same one again, too)."""
        self.check_project(project)  # before decoding, segmenting or painting anything
        inputs = load_inputs(project, self.segment_mask, working_side=MAX_WORKING_SIDE)
        for notice in ops.from_project(session, project, inputs):
            gr.Info(plain(notice))
        gr.Info(f"project loaded: {len(session.objects)} objects (Undo brings back what was here before)")
        model = project.model
        if model not in available_models():
            model = DEFAULT_MODEL
            gr.Warning(
                plain(
                    f"the project uses {project.model}, whose weights are not here; using {model} "
                    f"(python -m interp weights list says where to get them)"
                )
            )
        render = self.panels.render
        settings = {
            render.num_frames: project.num_frames,
            render.fps: project.fps,
            render.loop: project.loop,
            render.model: model,
            render.renderer: project.renderer or AUTO,
            render.iters: project.iters,
        }
        frames = {**self.frame_boxes(session), self.panels.frames.project_file: None}  # ready for the next file
        return self.with_visible_time({**self.views(session), **settings, **frames}, session)

    def _rendering(self, previous: bool) -> Updates:
        """The page's outputs as a render starts: no summary (the progress bar says how far it is) and, when a
        previous render's results are shown, their labels saying so."""
        results = self.panels.results
        old = (
            {
                results.video: gr.update(label=f"{RESULT_LABELS['video']} · {PREVIOUS}"),
                results.gif: gr.update(label=f"{RESULT_LABELS['gif']} · {PREVIOUS}"),
                results.files: gr.update(label=f"{RESULT_LABELS['files']} · {PREVIOUS}"),
            }
            if previous
            else {}
        )
        return {**old, self.panels.render.summary: ""}

    def _progress(self, progress: gr.Progress, total: int, done: int) -> Updates:
        """The progress bar moved (nothing else changes)."""
        progress((done, total), desc="rendering", unit="frames")
        return {self.panels.render.summary: gr.skip()}

    def cancel_render(self, shown: list[str] | None) -> str:
        """*Cancel*'s message (``shown``: the downloads on the page, a previous render's if any)."""
        return f"Render cancelled; the results below are the {PREVIOUS}'s." if shown else "Render cancelled."

    def api_render_project(self, frame0: str, frame1: str, project: str) -> Iterator[tuple]:
        """Stateless endpoint: two frame files and a project's JSON text -> (GIF path, MP4 path).

        A generator, as the page's render is: a call cancelled by its client (or whose client went away) stops
        within a step (a frame decoded, an object segmented, a few brush dabs painted, a frame rendered or encoded),
        its partial files are removed and its memory goes back to the system.
        """
        try:
            yield from self._api_render(frame0, frame1, project)
        finally:  # the call's frames and masks are freed by now (its generator is done): hand the memory back
            return_freed_memory()

    def _api_render(self, frame0: str, frame1: str, project: str) -> Iterator[tuple]:
        """``api_render_project``'s steps."""
        if not frame0 or not frame1:
            raise InputError("render_project needs frame0 and frame1 files")
        parsed = parse_project(decode_json(project))
        check_frame_count(parsed.num_frames)
        frames = (Path(frame0), Path(frame1))
        self.check_project(parsed, frames, parsed.num_frames)  # rendered at the page's working size
        yield gr.skip(), gr.skip()  # before any work, as in ``render``: from here on a cancelled call can be closed
        loading = iter_load_inputs(parsed, self.segment_mask, frames, working_side=MAX_WORKING_SIDE)
        inputs = yield from relay(loading, lambda _step: (gr.skip(), gr.skip()))
        interpolator = self.pool.get(parsed.model)
        out = self.api_workspace.new_call_dir()
        try:
            rendered = hold_per_step(render_project(parsed, inputs, interpolator), self.pool.lock)
            steps = iter_project_outputs(rendered, out, parsed.fps, gif=True, mp4=True, loop=parsed.loop)
            result = yield from relay(steps, lambda _done: (gr.skip(), gr.skip()))
            yield str(result.gif), str(result.mp4)
        finally:  # served (Gradio copies outputs to its cache before it asks for more) or cancelled: ours can go
            self.api_workspace.discard(out)

    # ------------------------------------------------------------------ session life
    def open_session(self, session: Session, cache: PreviewCache, workspace: Workspace, request: gr.Request) -> None:
        """The page loaded: remember what this session holds, to release it when the tab closes."""
        self.sessions.open(request.session_hash, session, cache, workspace)

    def end_session(self, request: gr.Request) -> None:
        """The tab closed (``demo.unload``): release the session's frames, previews and folder now."""
        self.sessions.end(request.session_hash)
