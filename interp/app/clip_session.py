"""The clip page's per-session state and the operations on it, free of any UI code.

A ``ClipSession`` holds one uploaded clip, decoded once at the page's working size (``CLIP_WORKING_SIDE``) into a
temporary file (``interp.clip.frames``), and its objects: each is clicked on one or more clip frames (the masks
given there) and followed through the clip by the tracker into a ``MaskStore`` on disk. Curves map output time u
(0 to 1) to clip time s (0 = first frame, 1 = last), one per object and one for the background, as in a clip project
(``interp.project.clip_schema``). Previews and renders are ``interp.clip.retime.Retimer`` at the working size.
``close`` removes the temporary files; the page calls it when the session ends (``ui.lifecycle``).

Segmentation is injected (``ClipSegmentFn``) so that this module does not depend on ``sam_utils``. Frames are
``H x W x 3`` uint8 RGB at the working size; masks ``H x W`` bool.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from interp.clip.frames import ClipFrames, ScaledView, open_clip
from interp.clip.retime import Retimed, Retimer, Timing, clip_timings
from interp.clip.store import MaskStore
from interp.clip.tracker import track
from interp.core.curves import Curve, most_visible_time
from interp.core.images import resize_mask
from interp.core.progress import Progress
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.io.decode import probe_video
from interp.limits import (
    CLIP_WORKING_SIDE,
    MAX_CLIP_OBJECTS,
    MAX_CLIP_OUTPUT_FRAMES,
    MAX_POINTS,
    check_clip_frames,
    check_clip_header,
)
from interp.project.clip_schema import CLIP_VERSION, ClipProject, parse_clip_project
from interp.project.inputs import object_mask
from interp.project.pipeline import relay
from interp.project.schema import FORMAT, Box, Click, field_error, png_data_uri

#: (frame, the next frame as a motion cue, clicks, box) -> (mask ``H x W`` bool, score in [0, 1]).
ClipSegmentFn = Callable[[np.ndarray, np.ndarray, Sequence[Click], Box | None], tuple[np.ndarray, float]]

#: The clip page's curve presets (``clip_preset``): what an object (or the background) does around the scrubbed
#: frame, as the clip plays at normal speed.
NORMAL, FREEZE, SLOW2, SLOW4, REVERSE = "normal", "freeze here", "slow ×2 here", "slow ×4 here", "reverse"
CLIP_PRESETS = (NORMAL, FREEZE, SLOW2, SLOW4, REVERSE)
MAX_NAME_LENGTH = 40
#: The still and the playing preview are rendered with the longer side at most this many pixels (renders at the
#: working size, ``CLIP_WORKING_SIDE``): a preview of two retimed objects between clip frames takes about a third of
#: the time.
PREVIEW_SIDE = 384


def clip_preset(name: str, here: float) -> Curve:
    """The curve of preset ``name`` (``CLIP_PRESETS``) at clip time ``here`` (0 to 1, the scrubbed frame).

    ``freeze here``: the clip time ``here`` all along; ``slow ×k here``: the clip played k times slower, passing
    ``here`` when the background (at normal speed) does, so the object stays in place at that moment and drifts
    from it elsewhere; ``reverse``: the clip backwards; ``normal``: the clip as it plays.
    """
    here = float(np.clip(here, 0.0, 1.0))
    if name == NORMAL:
        points = ((0.0, 0.0), (1.0, 1.0))
    elif name == FREEZE:
        points = ((0.0, here), (1.0, here))
    elif name in (SLOW2, SLOW4):
        k = 2.0 if name == SLOW2 else 4.0
        points = ((0.0, here * (1 - 1 / k)), (1.0, here + (1 - here) / k))
    elif name == REVERSE:
        points = ((0.0, 1.0), (1.0, 0.0))
    else:
        raise InputError(f"unknown clip preset {name!r}; known: {', '.join(CLIP_PRESETS)}")
    return Curve(points)


@dataclass
class ClipTarget:
    """One object of the clip: its clicks and masks on the frames it is given on (the user's), its tracked masks
    on every frame (``masks``, one object in a ``MaskStore``; None until tracked) and its curve. ``version`` counts
    changes of the given masks; ``tracked`` is the version the tracked masks follow (stale when they differ)."""

    name: str
    curve: Curve = field(default_factory=lambda: Curve.preset("linear"))
    clicks: dict[int, list[Click]] = field(default_factory=dict)
    given: dict[int, np.ndarray] = field(default_factory=dict)
    masks: MaskStore | None = None
    version: int = 0
    tracked: int = -1

    @property
    def is_tracked(self) -> bool:
        """Whether the tracked masks follow the given masks as they are now."""
        return self.masks is not None and self.tracked == self.version

    def mask_on(self, frame: int) -> np.ndarray | None:
        """The object's mask on ``frame``: the given one there, else the tracked one (even stale), else None."""
        if frame in self.given:
            return self.given[frame]
        if self.masks is not None:
            return self.masks.get(0, frame)
        return None


class ObjectMasks:
    """Several objects' tracked masks (one ``MaskStore`` each) read as one ``interp.clip.store.Masks``, at
    ``height x width`` (the stores' size, or smaller for previews: masks are scaled as they are read)."""

    def __init__(self, stores: Sequence[MaskStore], num_frames: int, height: int, width: int) -> None:
        self.stores = list(stores)
        self.num_objects, self.num_frames, self.height, self.width = len(stores), num_frames, height, width

    def get(self, obj: int, frame: int) -> np.ndarray:
        """Object ``obj``'s mask on ``frame`` (``height x width`` bool)."""
        return resize_mask(self.stores[obj].get(0, frame), self.height, self.width)


@dataclass
class ClipSession:
    """Everything one user edits on the clip page. ``version`` changes whenever tracked masks change."""

    clip: ClipFrames | None = None
    #: the uploaded file's name (what a downloaded project names as its ``video``)
    name: str = ""
    objects: list[ClipTarget] = field(default_factory=list)
    selected: int | None = None
    background: Curve = field(default_factory=lambda: Curve.preset("linear"))
    #: the scrubbed clip frame
    frame: int = 0
    version: int = 0

    def __post_init__(self) -> None:
        # not fields: Gradio turns a state's fields into its page config, and locks cannot be copied
        self._edit_lock = threading.RLock()
        self._retimer: tuple[tuple, Retimer] | None = None
        self._busy = 0  # renders reading the mask stores
        self._retired: list[Any] = []  # stores (and clips) replaced while a render read them

    @property
    def edit_lock(self) -> threading.RLock:
        """Held by every page event that edits the session (Gradio runs one session's events at once)."""
        return self._edit_lock

    def __deepcopy__(self, memo: dict) -> ClipSession:
        """A new empty session (Gradio copies the page's initial state for each visitor; it holds no clip)."""
        return ClipSession(background=copy.deepcopy(self.background, memo))

    @property
    def has_clip(self) -> bool:
        return self.clip is not None

    def need_clip(self) -> ClipFrames:
        """The clip (``InputError`` when none is loaded)."""
        if self.clip is None:
            raise InputError("upload a clip first")
        return self.clip

    @property
    def num_frames(self) -> int:
        return len(self.clip) if self.clip is not None else 0

    def here(self) -> float:
        """The scrubbed frame as clip time in [0, 1]."""
        return self.frame / max(1, self.num_frames - 1)

    def view(self) -> ScaledView:
        """The clip at the working size (``full``) and at the tracker's size (``work``)."""
        return ScaledView(self.need_clip())

    def image(self, frame: int | None = None) -> np.ndarray:
        """Clip frame ``frame`` (the scrubbed one by default) at the working size."""
        clip = self.need_clip()
        return clip.work(clip.check_index(self.frame if frame is None else frame))

    def retire(self, resource: Any) -> None:
        """Close a replaced store or clip now, or after the renders that may read it (``rendering``)."""
        if resource is None:
            return
        with self.edit_lock:
            if self._busy:
                self._retired.append(resource)
                return
        resource.close()

    def rendering(self) -> _Rendering:
        """A context during which the session's stores and clip stay open, even when replaced (renders, previews,
        tracking: whatever reads them outside ``edit_lock``)."""
        return _Rendering(self)

    def close(self) -> None:
        """Remove the clip's and the masks' temporary files and forget everything (the session ended)."""
        with self.edit_lock:
            resources = [obj.masks for obj in self.objects] + [self.clip] + self._retired
            self.objects, self.clip, self.selected, self.name, self.frame = [], None, None, "", 0
            self.background = Curve.preset("linear")
            self._retired, self._retimer = [], None
            self.version += 1
        for resource in resources:
            if resource is not None:
                resource.close()


class _Rendering:
    def __init__(self, session: ClipSession) -> None:
        self.session = session

    def __enter__(self) -> None:
        with self.session.edit_lock:
            self.session._busy += 1

    def __exit__(self, *exc: object) -> None:
        session = self.session
        with session.edit_lock:
            session._busy -= 1
            retired = session._retired if session._busy == 0 else []
            if session._busy == 0:
                session._retired = []
        for resource in retired:
            resource.close()


# ---------------------------------------------------------------------------------------------------- the clip
def open_upload(path: Path | str, progress: Progress | None = None) -> ClipFrames:
    """An uploaded video, checked from its header (``interp.limits.check_clip_header``) and decoded once at the
    working size; a file whose header understates its length is stopped at ``MAX_CLIP_FRAMES`` while it decodes.
    ``progress(done, total)`` follows the decoding. Messages name the file, not its folder."""
    path = Path(path)

    def guarded(done: int, total: int) -> None:
        check_clip_frames(done)
        if progress is not None:
            progress(done, total)

    try:
        info = probe_video(path)
        check_clip_header(info.width, info.height, info.duration, info.frame_count)
        clip = open_clip(path, CLIP_WORKING_SIDE, guarded)
    except InputError as exc:  # said with the file's name, never the server's folder it was uploaded to
        raise InputError(str(exc).replace(str(path), path.name)) from None
    if len(clip) < 2:
        clip.close()
        raise InputError(f"the clip has {len(clip)} frame; retiming needs at least 2")
    return clip


def set_clip(session: ClipSession, clip: ClipFrames, name: str) -> None:
    """Make ``clip`` the session's clip (its objects and curves go; the old clip's files are removed)."""
    with session.edit_lock:
        old = [obj.masks for obj in session.objects] + [session.clip]
        session.clip, session.name = clip, name
        session.objects, session.selected, session.frame = [], None, 0
        session.background = Curve.preset("linear")
        session._retimer = None
        session.version += 1
    for resource in old:
        session.retire(resource)


def scrub(session: ClipSession, frame: int) -> None:
    """Show clip frame ``frame`` (clamped to the clip)."""
    with session.edit_lock:
        session.frame = int(np.clip(int(frame), 0, max(0, session.num_frames - 1)))


# ---------------------------------------------------------------------------------------------------- objects
def new_object(session: ClipSession) -> int:
    """Add an object (bounded by ``MAX_CLIP_OBJECTS``), select it and return its index."""
    session.need_clip()
    with session.edit_lock:
        if len(session.objects) >= MAX_CLIP_OBJECTS:
            raise InputError(f"the clip page holds at most {MAX_CLIP_OBJECTS} objects")
        taken = {obj.name for obj in session.objects}
        number = next(n for n in range(1, MAX_CLIP_OBJECTS + 2) if f"object {n}" not in taken)
        session.objects.append(ClipTarget(f"object {number}"))
        session.selected = len(session.objects) - 1
        return session.selected


def select_object(session: ClipSession, name: str | None) -> None:
    """Select the object called ``name`` (None: no object)."""
    with session.edit_lock:
        names = [obj.name for obj in session.objects]
        session.selected = names.index(name) if name in names else None


def delete_object(session: ClipSession) -> None:
    """Remove the selected object (its masks' file too)."""
    with session.edit_lock:
        if session.selected is None:
            raise InputError("select an object first")
        removed = session.objects.pop(session.selected)
        session.selected = len(session.objects) - 1 if session.objects else None
        session.version += 1
    session.retire(removed.masks)


def click(session: ClipSession, x: float, y: float, positive: bool, segment: ClipSegmentFn) -> ClipTarget:
    """A click at pixel ``(x, y)`` of the scrubbed frame for the selected object (a new one when none is selected):
    the object is segmented there from all its clicks on that frame, which becomes one of the frames it is given on.
    Returns the object (tracked again by the caller when it had been tracked)."""
    clip = session.need_clip()
    with session.edit_lock:
        height, width = clip.shape
        if not (0 <= x < width and 0 <= y < height):
            raise InputError(f"the click ({x:.0f}, {y:.0f}) is outside the {width}x{height} frame")
        if session.selected is None:
            if not positive:
                raise InputError("click the object first (include); exclude clicks refine an object")
            new_object(session)
        assert session.selected is not None
        obj = session.objects[session.selected]
        frame = session.frame
        clicks = [*obj.clicks.get(frame, []), Click(float(x), float(y), positive)]
        if len(clicks) > MAX_POINTS:
            raise InputError(f"at most {MAX_POINTS} clicks per object on one frame")
        if not any(c.positive for c in clicks):
            raise InputError("click the object first (include); exclude clicks refine it")
        neighbour = frame + 1 if frame + 1 < len(clip) else frame - 1
        mask, _score = segment(clip.work(frame), clip.work(neighbour), clicks, None)
        if not mask.any():
            raise InputError("the segmenter found nothing there; click inside the object")
        obj.clicks[frame] = clicks
        obj.given[frame] = mask.astype(bool)
        obj.version += 1
        return obj


def clear_frame(session: ClipSession) -> None:
    """Forget the selected object's clicks and mask on the scrubbed frame (the tracker fills it again)."""
    with session.edit_lock:
        if session.selected is None:
            raise InputError("select an object first")
        obj = session.objects[session.selected]
        if session.frame not in obj.given:
            raise InputError(f"the object is not given on frame {session.frame}: nothing to clear there")
        del obj.given[session.frame]
        obj.clicks.pop(session.frame, None)
        obj.version += 1


def track_object(session: ClipSession, index: int) -> Iterator[tuple[int, int]]:
    """Follow object ``index`` through the clip from the frames it is given on (``interp.clip.tracker.track``),
    yielding ``(frames done, frames)``. The new masks replace the old ones only when the tracking ends and the
    object was not changed meanwhile; closing the generator (Cancel) leaves the old ones."""
    with session.edit_lock:
        clip = session.need_clip()
        if not 0 <= index < len(session.objects):
            raise InputError("select an object first (or click one)")
        obj = session.objects[index]
        if not obj.given:
            raise InputError(f"{obj.name} is not clicked on any frame yet: click it first")
        given, version = dict(obj.given), obj.version
    made = MaskStore(1, len(clip), *clip.shape)
    store: MaskStore | None = made  # None once the object holds it; else closed at the end
    try:
        view = ScaledView(clip)
        for done, (frame, mask) in enumerate(track(view, given), start=1):
            made.put(0, frame, mask)
            yield done, len(clip)
        with session.edit_lock:
            if obj in session.objects and obj.version == version and session.clip is clip:
                old, obj.masks, obj.tracked = obj.masks, store, version
                store = None
                session.version += 1
            else:
                old = None
        session.retire(old)
    finally:
        if store is not None:
            store.close()


# ---------------------------------------------------------------------------------------------------- curves
def set_curve(session: ClipSession, index: int | None, curve: Curve) -> None:
    """Object ``index``'s curve (None: the background's)."""
    with session.edit_lock:
        if index is None:
            session.background = curve
        else:
            session.objects[index].curve = curve


def visible_time(session: ClipSession) -> float:
    """Where the still preview shows the curves best (``interp.core.curves.most_visible_time``)."""
    return most_visible_time([*(obj.curve for obj in session.objects), session.background])


# ---------------------------------------------------------------------------------------------------- output
def timing_at(session: ClipSession, u: float) -> Timing:
    """The clip times at output time ``u`` (0 to 1): the background's and each object's (frames)."""
    span = session.num_frames - 1
    u = float(np.clip(u, 0.0, 1.0))
    objects = tuple(float(np.clip(obj.curve(u), 0, 1)) * span for obj in session.objects)
    return Timing(float(np.clip(session.background(u), 0, 1)) * span, objects)


def timings(session: ClipSession, num_output: int) -> list[Timing]:
    """The clip times of ``num_output`` output frames."""
    if not 2 <= num_output <= MAX_CLIP_OUTPUT_FRAMES:
        raise InputError(f"output frames must be between 2 and {MAX_CLIP_OUTPUT_FRAMES}, got {num_output!r}")
    curves = [obj.curve for obj in session.objects]
    return clip_timings(session.background, curves, num_output, session.num_frames)


def check_tracked(session: ClipSession) -> None:
    """``InputError`` unless every object has tracked masks that follow its clicks."""
    session.need_clip()
    for obj in session.objects:
        if not obj.is_tracked:
            raise InputError(f"{obj.name} is not tracked through the clip (again) yet: press Track")


def retimer(
    session: ClipSession, interpolator: Interpolator, iters: int = 2, fresh: bool = False, side: int | None = None
) -> Retimer:
    """The session's retimer for the masks tracked now, at the working size or with the longer side at most ``side``
    (kept while the masks stay, so previews share frames, plates and network passes); ``fresh``: one of its own (a
    render's, whose caches no preview touches)."""
    with session.edit_lock:
        check_tracked(session)
        clip = session.need_clip()
        stores = [obj.masks for obj in session.objects if obj.masks is not None]  # all of them: tracked
        key = (id(interpolator), iters, side, session.version, tuple(id(s) for s in stores))
        if not fresh and session._retimer is not None and session._retimer[0] == key:
            return session._retimer[1]
        if side is None:
            frame, (height, width) = session.view().full, clip.shape
        else:
            scaled = ScaledView(clip, side)
            frame, (height, width) = scaled.work, scaled.shape
        masks = ObjectMasks(stores, len(clip), height, width)
        made = Retimer(interpolator, frame, masks, len(clip), iters)
        if not fresh:
            session._retimer = (key, made)
        return made


def preview_at(session: ClipSession, interpolator: Interpolator, u: float) -> Retimed:
    """The output frame at output time ``u`` at the preview size (``PREVIEW_SIDE``; call holding the model's
    lock)."""
    return retimer(session, interpolator, side=PREVIEW_SIDE).render(timing_at(session, u))


# ---------------------------------------------------------------------------------------------------- the project
def check_project_bounds(project: ClipProject) -> None:
    """The page's bounds on a clip project sent to it (before the clip is read): objects, output frames, and objects
    given in ways only a file on disk can give (a folder of masks)."""
    if len(project.objects) > MAX_CLIP_OBJECTS:
        raise InputError(
            f"the project has {len(project.objects)} objects; the clip page holds at most {MAX_CLIP_OBJECTS}"
        )
    if project.num_frames is not None and project.num_frames > MAX_CLIP_OUTPUT_FRAMES:
        raise field_error(
            "num_frames", f"the app renders at most {MAX_CLIP_OUTPUT_FRAMES} frames, got {project.num_frames}"
        )
    for index, obj in enumerate(project.objects):
        if obj.masks is not None:
            raise field_error(
                f"objects[{index}].masks",
                "a folder of masks cannot be sent to the app: give the object by a mask, points or a box on one frame",
            )


def load_project(session: ClipSession, project: ClipProject, segment: ClipSegmentFn) -> Iterator[tuple[str, int, int]]:
    """Give the session's clip ``project``'s objects (each by its mask, clicks or box on its frame, at the clip's own
    size, segmented and painted at the working size, then tracked) and curves; yields ``(step, done, total)``
    (tracked frames). Objects and curves the session had go. A project sent to the app names no file: masks come as
    PNG data URIs (``interp.project.schema.file_path_refusal`` otherwise)."""
    check_project_bounds(project)
    clip = session.need_clip()
    count = len(clip)
    for index, spec in enumerate(project.objects):
        if spec.frame >= count:
            raise field_error(
                f"objects[{index}].frame", f"frame {spec.frame} is outside the clip (frames 0 to {count - 1})"
            )

    def masked(image: np.ndarray, following: np.ndarray, clicks: Sequence[Click], box: Box | None) -> np.ndarray:
        return segment(image, following, clicks, box)[0]

    targets = []
    original = (clip.info.width, clip.info.height)
    for index, spec in enumerate(project.objects):
        frame = spec.frame
        images = (clip.work(frame), clip.work(frame + 1 if frame + 1 < count else frame - 1))
        steps = object_mask(spec.spec, f"objects[{index}]", None, original, images, masked)
        mask = yield from relay(steps, lambda step: (step, 0, count * len(project.objects)))
        name, number = spec.spec.name[:MAX_NAME_LENGTH], 2
        while name in {t.name for t in targets}:
            name, number = f"{spec.spec.name[: MAX_NAME_LENGTH - 4]} {number}", number + 1
        targets.append(ClipTarget(name, spec.spec.curve, given={frame: mask}))
    with session.edit_lock:
        old = [obj.masks for obj in session.objects]
        session.objects, session.background = targets, project.background
        session.selected = 0 if targets else None
        session.version += 1
    for resource in old:
        session.retire(resource)
    for index in range(len(targets)):
        for done, _total in track_object(session, index):
            yield "tracking", index * count + done, count * len(targets)


def project_document(session: ClipSession, num_frames: int, fps: float, model: str, iters: int = 2) -> dict:
    """The session as a clip project (version 2) to download: ``video`` is the uploaded file's name (put the
    project next to the clip to render it with ``python -m interp render``); each object is given by its mask on
    the first frame it was clicked on, embedded as a PNG data URI at the clip's own size (its masks on other frames
    it was fixed on are not kept: a clip project gives an object on one frame). Objects never clicked are left out.
    """
    clip = session.need_clip()
    width, height = clip.info.width, clip.info.height
    objects = []
    for obj in session.objects:
        if not obj.given:
            continue
        frame = min(obj.given)
        mask = resize_mask(obj.given[frame], height, width)
        objects.append({"name": obj.name, "frame": frame, "mask": png_data_uri(mask), "curve": obj.curve.to_points()})
    document = {
        "format": FORMAT,
        "version": CLIP_VERSION,
        "video": session.name or "clip.mp4",
        "num_frames": int(num_frames),
        "fps": float(fps),
        "model": model,
        "iters": int(iters),
        "background": {"curve": session.background.to_points()},
        "objects": objects,
    }
    parse_clip_project(document)  # what a saved file must pass
    return document
