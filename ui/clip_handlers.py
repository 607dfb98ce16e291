"""The clip page's event handlers: each turns an event into calls to ``interp.app.clip_session`` and returns
``{component: value}`` updates keyed by ``ui.clip_panels.ClipPanels``. The error boundary (``ui.handlers.friendly``),
the model pool, the segmenter, the curve editor and the click canvas are the two-frame page's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image, ImageDraw

from interp.app import clip_session as ops
from interp.app.animation import PREFIX, remove_earlier_gifs, write_gif
from interp.app.clip_session import ClipSession
from interp.app.locks import hold_per_step
from interp.app.preview import ModelPool
from interp.app.session import SceneObject
from interp.app.workspace import Workspace
from interp.clip.retime import Timing
from interp.core.colors import object_color
from interp.core.curves import Curve
from interp.core.images import resize
from interp.core.keyframes import apply_edit, format_pairs, parse_pairs
from interp.errors import InputError
from interp.io.outputs import write_sequence
from interp.limits import DEFAULT_MAX_JOB_MEGAPIXELS, MAX_CLIP_OUTPUT_FRAMES, check_job_work, render_work
from interp.project.clip_schema import output_fps, parse_clip_project
from interp.project.pipeline import relay
from interp.project.schema import decode_json
from sam_utils.masks import overlay
from sam_utils.segmenter import Segmenter
from ui.canvas import draw_canvas
from ui.clip_panels import ClipPanels
from ui.curve_editor import editor_value
from ui.handlers import plain
from ui.lifecycle import LiveSessions
from ui.panels import EXCLUDE

Updates = dict[Any, Any]

#: Thumbnails in the mask strip, their height (pixels), and the playing preview's frames per level and longest side.
STRIP_FRAMES = 8
STRIP_HEIGHT = 72
ANIMATION_LEVELS = (3, 9)
ANIMATION_SIDE = 320
#: Marks in the mask strip: a frame the object is given on (clicked), the scrubbed frame.
GIVEN_MARK, HERE_MARK = (255, 220, 0), (255, 255, 255)
#: A mask covering more of the frame than this is most likely the background: the page says so.
MOST_OF_FRAME = 0.6
EDITOR_TITLE = "output time u → clip time s · drag a keyframe · click to add · double-click to remove"


def strip_frames(num_frames: int, count: int = STRIP_FRAMES) -> list[int]:
    """The clip frames the strip shows: ``count`` (at most) evenly spread, first and last included."""
    return sorted({int(np.rint(v)) for v in np.linspace(0, num_frames - 1, min(count, num_frames))})


def mask_strip(session: ClipSession) -> np.ndarray | None:
    """Thumbnails of ``strip_frames`` with every object's mask on them (given or tracked) in its colour, side by
    side; frames an object is given on are underlined in yellow, the scrubbed frame's nearest thumbnail in white."""
    if not session.has_clip:
        return None
    frames = strip_frames(session.num_frames)
    nearest = min(frames, key=lambda f: abs(f - session.frame))
    tiles = []
    for index in frames:
        image = session.image(index)
        masks = [(i, obj.mask_on(index)) for i, obj in enumerate(session.objects)]
        shown = [(i, m) for i, m in masks if m is not None]
        if shown:
            image = overlay(image, [m for _, m in shown], [object_color(i) for i, _ in shown], alpha=0.35)
        h, w = image.shape[:2]
        width = max(1, round(w * STRIP_HEIGHT / h))
        tile = Image.fromarray(resize(image, STRIP_HEIGHT, width))
        draw = ImageDraw.Draw(tile)
        draw.text((3, 2), str(index), fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0))
        if any(index in obj.given for obj in session.objects):
            draw.rectangle([0, STRIP_HEIGHT - 5, width - 1, STRIP_HEIGHT - 1], fill=GIVEN_MARK)
        if index == nearest:
            draw.rectangle([0, 0, width - 1, STRIP_HEIGHT - 1], outline=HERE_MARK, width=2)
        tiles.append(np.asarray(tile))
    gap = np.zeros((STRIP_HEIGHT, 3, 3), np.uint8)
    row: list[np.ndarray] = []
    for tile in tiles:
        row += [tile, gap]
    return np.concatenate(row[:-1], axis=1)


def strip_frame_at(session: ClipSession, x: float) -> int:
    """The clip frame of the strip's thumbnail at column ``x``."""
    frames = strip_frames(session.num_frames)
    image = session.image(0)
    width = max(1, round(image.shape[1] * STRIP_HEIGHT / image.shape[0])) + 3
    return frames[int(np.clip(x // width, 0, len(frames) - 1))]


def clip_canvas(session: ClipSession) -> np.ndarray | None:
    """The scrubbed frame with every object's mask there and the clicks made on it (``ui.canvas.draw_canvas``)."""
    if not session.has_clip:
        return None
    frame = session.frame
    shown = [
        SceneObject(obj.name, clicks=list(obj.clicks.get(frame, [])), mask=obj.mask_on(frame))
        for obj in session.objects
    ]
    return draw_canvas(session.image(), shown, session.selected)


def track_line(session: ClipSession) -> str:
    """One line per object: where it is given, whether it is tracked."""
    if not session.has_clip:
        return ""
    if not session.objects:
        return "No objects yet: click one on the frame (everything else is background)."
    lines = []
    for obj in session.objects:
        given = ", ".join(str(f) for f in sorted(obj.given)) or "none"
        state = "tracked" if obj.is_tracked else ("fixed: press Track" if obj.masks is not None else "press Track")
        lines.append(f"**{plain(obj.name)}**: clicked on frames {given}; {state}")
    return "<br>".join(lines)


class ClipPage:
    """The clip page's handlers, sharing the two-frame page's model pool, segmenter and live sessions."""

    def __init__(
        self,
        pool: ModelPool,
        segmenter: Segmenter,
        panels: ClipPanels,
        sessions: LiveSessions,
        max_job_megapixels: float = DEFAULT_MAX_JOB_MEGAPIXELS,
    ) -> None:
        self.pool = pool
        self.segmenter = segmenter
        self.panels = panels
        self.sessions = sessions
        self.max_job_megapixels = max_job_megapixels
        self.api_workspace = Workspace()

    def segment(self, image: np.ndarray, following: np.ndarray, clicks: list, box: Any) -> tuple[np.ndarray, float]:
        """The segmenter's mask and score for ``clicks`` on ``image`` (``following``: the next frame, a motion cue)."""
        result = self.segmenter.segment(image, clicks, box, next_image=following)
        return result.mask, result.score

    # ------------------------------------------------------------------ views
    def curve_views(self, session: ClipSession) -> Updates:
        p = self.panels
        selected = session.objects[session.selected] if session.selected is not None else None
        object_title = EDITOR_TITLE if selected else "select an object to edit its curve"
        return {
            p.session: session,
            p.curves.editor: editor_value(session, False, object_title),
            p.curves.pairs: format_pairs(selected.curve) if selected else "",
            p.curves.preset: gr.update(value=None),
            p.background.editor: editor_value(session, True, EDITOR_TITLE),
            p.background.pairs: format_pairs(session.background),
            p.background.preset: gr.update(value=None),
        }

    def frame_views(self, session: ClipSession) -> Updates:
        """The canvas (the scrubbed frame, labelled with its number) and the mask strip."""
        p = self.panels
        label = (
            f"Frame {session.frame} of {session.num_frames - 1}: click objects" if session.has_clip else "Upload a clip"
        )
        return {p.canvas: gr.update(value=clip_canvas(session), label=label), p.strip: mask_strip(session)}

    def views(self, session: ClipSession) -> Updates:
        p = self.panels
        names = [obj.name for obj in session.objects]
        chosen = names[session.selected] if session.selected is not None and names else None
        return {
            **self.frame_views(session),
            p.objects: gr.Radio(choices=names, value=chosen),
            p.track_status: track_line(session),
            **self.curve_views(session),
        }

    # ------------------------------------------------------------------ the clip
    def upload(self, session: ClipSession, path: str | None, progress: gr.Progress = gr.Progress()) -> Updates:  # noqa: B008
        """A clip uploaded: checked from its header, decoded at the working size; objects and curves start over."""
        if not path:
            return self.views(session)
        clip = ops.open_upload(path, lambda done, total: progress((done, total), desc="decoding", unit="frames"))
        ops.set_clip(session, clip, Path(path).name)
        p = self.panels
        info = clip.info
        fps = round(info.fps or 12)
        h, w = clip.shape
        gr.Info(plain(f"clip loaded: {len(clip)} frames, {info.width}x{info.height}, working at {w}x{h}"))
        return {
            **self.views(session),
            p.frame: gr.Slider(minimum=0, maximum=len(clip) - 1, value=0, step=1),
            p.num_frames: min(len(clip), MAX_CLIP_OUTPUT_FRAMES),
            p.fps: min(max(fps, 1), 60),
            p.info: plain(
                f"{Path(path).name}: {len(clip)} frames at {info.fps or 0:.3g} fps, {info.width}x{info.height} "
                f"(worked on at {w}x{h})"
            ),
            p.still: None,
            p.animation: None,
        }

    def scrub(self, session: ClipSession, frame: float) -> Updates:
        """The frame slider moved: the canvas shows that frame."""
        ops.scrub(session, int(frame))
        with session.rendering():  # a clip replaced meanwhile stays readable until this is drawn
            return self.frame_views(session)

    def strip_select(self, session: ClipSession, evt: gr.SelectData) -> Updates:
        """A thumbnail of the strip clicked: go to its frame."""
        if not session.has_clip:
            return {}
        ops.scrub(session, strip_frame_at(session, float(evt.index[0])))
        return {**self.scrub(session, session.frame), self.panels.frame: session.frame}

    # ------------------------------------------------------------------ objects
    def click(self, session: ClipSession, mode: str, evt: gr.SelectData) -> Updates:
        """A click on the frame: segment the selected object there (a new object when none is selected)."""
        x, y = (float(v) for v in evt.index)
        obj = ops.click(session, x, y, mode != EXCLUDE, self.segment)
        mask = obj.given[session.frame]
        if mask.mean() > MOST_OF_FRAME:
            gr.Warning(
                f"the segmenter took {mask.mean():.0%} of the frame for {plain(obj.name)}: add exclude clicks around it"
            )
        return self.views(session)

    def select_object(self, session: ClipSession, name: str | None) -> Updates:
        ops.select_object(session, name)
        return self.views(session)

    def new_object(self, session: ClipSession) -> Updates:
        ops.new_object(session)
        return self.views(session)

    def delete(self, session: ClipSession) -> Updates:
        ops.delete_object(session)
        return self.views(session)

    def clear_frame(self, session: ClipSession) -> Updates:
        ops.clear_frame(session)
        return self.views(session)

    def track(self, session: ClipSession, progress: gr.Progress = gr.Progress()) -> Iterator[Updates]:  # noqa: B008
        """*Track*: follow the selected object through the clip (progress bar; Cancel keeps the old masks)."""
        if session.selected is None:
            raise InputError("select an object first (or click one)")
        yield {self.panels.track_status: "tracking…"}  # from here on Cancel can close it
        with session.rendering():  # the clip it reads stays open even if another one is uploaded meanwhile
            for done, total in ops.track_object(session, session.selected):
                progress((done, total), desc="tracking", unit="frames")
                yield {self.panels.track_status: gr.skip()}
        yield self.views(session)

    def retrack(self, session: ClipSession, progress: gr.Progress = gr.Progress()) -> Iterator[Updates]:  # noqa: B008
        """After a click: an object that was tracked is tracked again from all the frames it is given on."""
        index = session.selected
        if index is None or session.objects[index].masks is None or session.objects[index].is_tracked:
            yield {self.panels.track_status: gr.skip()}
            return
        yield from self.track(session, progress)

    # ------------------------------------------------------------------ curves
    def preset(self, session: ClipSession, background: bool, name: str | None) -> Updates:
        """A preset at the scrubbed frame for the selected object's curve (or the background's); the preview's time
        moves to where it shows."""
        if not name:
            return {}
        index = self._edited(session, background)
        ops.set_curve(session, index, ops.clip_preset(name, session.here()))
        controls = self.panels.background if background else self.panels.curves
        return {**self.curve_views(session), controls.preset: gr.update(value=name),
                self.panels.t: ops.visible_time(session)}  # fmt: skip

    def _edited(self, session: ClipSession, background: bool) -> int | None:
        if background:
            return None
        if session.selected is None:
            raise InputError("select an object first (or click one on the frame)")
        return session.selected

    def edit_curve(self, session: ClipSession, background: bool, evt: gr.EventData) -> Updates:
        """A keyframe dragged, added or removed in a curve editor (``interp.core.keyframes.apply_edit``)."""
        index = self._edited(session, background)
        curve: Curve = session.background if index is None else session.objects[index].curve
        edit = evt._data if isinstance(evt._data, dict) else {}
        ops.set_curve(session, index, apply_edit(curve, edit))
        return self.curve_views(session)

    def type_curve(self, session: ClipSession, background: bool, text: str) -> Updates:
        ops.set_curve(session, self._edited(session, background), parse_pairs(text))
        return self.curve_views(session)

    # ------------------------------------------------------------------ previews
    def ready(self, session: ClipSession) -> bool:
        """Whether the session can be previewed: a clip, every object tracked."""
        return session.has_clip and all(obj.is_tracked for obj in session.objects)

    def preview(self, session: ClipSession, t: float, model: str) -> Updates:
        """The still preview: the output frame at output time ``t`` at the working size (none until tracked)."""
        still = self.panels.still
        if not self.ready(session):
            return {still: None}
        interpolator = self.pool.get(model)
        with session.rendering(), self.pool.lock:
            frame = ops.preview_at(session, interpolator, float(t))
        return {still: frame.image}

    def animate(self, session: ClipSession, workspace: Workspace, model: str) -> Iterator[Updates]:
        """The preview that plays: GIFs of 3, then 9 output frames (``ANIMATION_LEVELS``, the second reusing the
        first's) at most ``ANIMATION_SIDE`` px; an edit made meanwhile stops it (the event that edit starts shows the
        new one)."""
        animation = self.panels.animation
        if not self.ready(session):
            yield {animation: None}
            return
        signature = self._signature(session, model)
        interpolator = self.pool.get(model)
        folder = workspace.preview_dir()
        remove_earlier_gifs(folder)
        frames: dict[float, np.ndarray] = {}
        for count in ANIMATION_LEVELS:
            times = np.round(np.linspace(0.0, 1.0, count), 6).tolist()
            for u in times:
                if self._signature(session, model) != signature:
                    return
                if u in frames:
                    continue
                with session.rendering(), self.pool.lock:
                    image = ops.preview_at(session, interpolator, float(u)).image
                h, w = image.shape[:2]
                scale = min(1.0, ANIMATION_SIDE / max(h, w))
                frames[u] = resize(image, max(1, round(h * scale)), max(1, round(w * scale)))
            path = write_gif([frames[u] for u in times], folder / f"{PREFIX}{uuid.uuid4().hex[:12]}.gif")
            yield {animation: gr.Image(value=str(path), label=f"Playing: {count} frames")}

    @staticmethod
    def _signature(session: ClipSession, model: str) -> tuple:
        return (session.version, tuple(o.curve for o in session.objects), session.background, model)

    # ------------------------------------------------------------------ render
    def render(
        self,
        session: ClipSession,
        workspace: Workspace,
        num_frames: float,
        fps: float,
        model: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Iterator[Updates]:
        """Render the retimed clip to an MP4 at the working size (a generator: Cancel stops it between frames and
        its partial files go), then offer the MP4 and the project (version 2) for download."""
        p = self.panels
        num = int(num_frames)
        with session.edit_lock:
            ops.check_tracked(session)
            planned = ops.timings(session, num)
            height, width = session.need_clip().shape
            document = ops.project_document(session, num, float(fps), model)
        check_job_work(render_work(num, height, width), self.max_job_megapixels)
        yield {p.summary: ""}  # before any work: from here on Cancel can close it
        out = workspace.new_render_dir()

        def moved(done: int) -> Updates:
            progress((min(done, num), num), desc="rendering", unit="frames")
            return {p.summary: gr.skip()}

        mp4, share = yield from relay(self.render_steps(session, planned, float(fps), model, out), moved)
        project = out / "project.json"
        project.write_text(json.dumps(document, indent=1), encoding="utf-8")
        summary = (
            f"Done: {num} frames at {width}x{height}, {float(fps):g} fps, {len(session.objects)} objects, {model}; "
            f"{share:.1%} of pixels invented (background no frame shows); no audio"
        )
        yield {p.video: str(mp4), p.files: [str(mp4), str(project)], p.summary: plain(summary)}

    def render_steps(
        self, session: ClipSession, planned: list[Timing], fps: float, model: str, out: Path
    ) -> Generator[int, None, tuple[Path, float]]:
        """Render ``planned`` output frames at the working size into ``out`` (PNG frames and ``interp.mp4``), the
        model held per frame; yields the frames written so far and returns the MP4's path and the share of invented
        pixels. Closing it stops between frames and removes what it wrote."""
        interpolator = self.pool.get(model)
        invented = [0, 0]
        with session.rendering():
            retimer = ops.retimer(session, interpolator, fresh=True)

            def frames() -> Iterator[np.ndarray]:
                for timing in planned:
                    retimed = retimer.render(timing)
                    invented[0] += int(retimed.invented.sum())
                    invented[1] += retimed.invented.size
                    yield retimed.image

            steps = write_sequence(hold_per_step(frames(), self.pool.lock), out, fps, mp4=True)
            result = yield from relay(steps, lambda done: done)
        assert result.mp4 is not None
        return result.mp4, invented[0] / invented[1] if invented[1] else 0.0

    def cancel_render(self) -> str:
        return "Render cancelled."

    def cancel_track(self) -> str:
        return "Tracking cancelled: the masks are as they were."

    # ------------------------------------------------------------------ projects
    def load_project_file(
        self,
        session: ClipSession,
        file: str | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Updates:
        """A clip project loaded onto the uploaded clip (its ``video`` is not read: the clip on the page is used):
        its objects given on their frames and tracked, its curves and render settings."""
        p = self.panels
        if not file:
            return self.views(session)
        session.need_clip()
        document = decode_json(Path(file).read_bytes(), "that file is not a project: it")
        if isinstance(document, dict) and document.get("version") == 1:
            raise InputError("that is a two-frame project (version 1): load it on the Two frames tab")
        project = parse_clip_project(document)
        for _step, done, total in ops.load_project(session, project, self.segment):
            if total:
                progress((done, total), desc="tracking", unit="frames")
        clip = session.need_clip()
        gr.Info(
            plain(
                f"project loaded: {len(session.objects)} objects given and tracked (its video {project.video!r} "
                "is not read: the clip uploaded here is used)"
            )
        )
        num = project.num_frames or len(clip)
        return {
            **self.views(session),
            p.num_frames: min(num, MAX_CLIP_OUTPUT_FRAMES),
            p.fps: min(max(round(output_fps(project, clip.info.fps)), 1), 60),
            p.t: ops.visible_time(session),
            p.project_file: None,
        }

    def api_render_clip_project(self, video: str, project: str) -> Iterator[Any]:
        """Stateless endpoint: a video and a clip project's JSON text -> the MP4 path. The page's bounds apply (the
        clip's duration, frames and pixels from its header, 4 objects, 240 output frames, the job's work); objects
        are given by masks (PNG data URIs), points or boxes on their frames, tracked, and rendered at the page's
        working size. A generator: a cancelled call stops between steps and its files go."""
        if not video:
            raise InputError("render_clip_project needs the clip's video file")
        parsed = parse_clip_project(decode_json(project))
        ops.check_project_bounds(parsed)
        yield gr.skip()  # before any work: from here on a cancelled call can be closed
        session = ClipSession()
        out = None
        try:
            clip = ops.open_upload(video)
            ops.set_clip(session, clip, Path(video).name)
            for _ in ops.load_project(session, parsed, self.segment):
                yield gr.skip()
            num = parsed.num_frames or len(clip)
            planned = ops.timings(session, num)
            height, width = clip.shape
            check_job_work(render_work(num, height, width), self.max_job_megapixels)
            out = self.api_workspace.new_call_dir()
            steps = self.render_steps(session, planned, output_fps(parsed, clip.info.fps), parsed.model, out)
            mp4, _share = yield from relay(steps, lambda _done: gr.skip())
            yield str(mp4)
        finally:  # served (Gradio copies outputs before asking for more) or cancelled: the call's files go
            session.close()
            if out is not None:
                self.api_workspace.discard(out)

    # ------------------------------------------------------------------ session life
    def open_session(self, session: ClipSession, workspace: Workspace, request: gr.Request) -> None:
        """The page loaded: its clip page's parts are released with the session."""
        self.sessions.open_clip(request.session_hash, session, workspace)
