"""The app's per-session state and the operations on it, free of any UI code.

``app.py`` keeps one ``Session`` per browser session in a ``gr.State`` and turns events into the functions below;
unit tests call them directly. Segmentation is injected (``SegmentFn``) so this module does not depend on
``sam_utils``. Frames are ``H x W x 3`` uint8 RGB at the working size; masks ``H x W`` bool.
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np

from interp.core.curves import KNOTS, Curve
from interp.core.images import resize, resize_mask
from interp.errors import InputError
from interp.limits import (
    MAX_APP_OBJECTS,
    MAX_BRUSH_DABS,
    MAX_BRUSH_RADIUS,
    MAX_ORIGINAL_SIDE,
    MAX_POINTS,
    MAX_UNDO_EDITS,
    check_min_side,
    check_object_count,
    working_size,
)
from interp.project.inputs import ProjectInputs
from interp.project.schema import (
    Box,
    Click,
    Dab,
    ObjectSpec,
    Project,
    paint_brush,
    png_data_uri,
    prompt_clicks,
)

MAX_NAME_LENGTH = 40

#: (frame 0, frame 1, clicks, box) -> (mask ``H x W`` bool, score in [0, 1]).
SegmentFn = Callable[[np.ndarray, np.ndarray, Sequence[Click], Box | None], tuple[np.ndarray, float]]
#: A box needs at least this many pixels on each side.
MIN_BOX_SIDE = 2
#: A new frame 0 whose mean absolute difference from the old one (0-255 levels, same size) is at most this is the
#: same picture (the same file again, or saved again with a little compression): its objects are kept.
FRAME_MATCH_LEVELS = 3.0
#: How frame 1 is fitted to frame 0's size when their shapes differ: inside, with black bars, or filling it, cut.
LETTERBOX, CROP = "letterbox", "crop"
FITS = (LETTERBOX, CROP)
#: Shapes (width / height) closer than this relative difference are the same shape: frame 1 is only resized.
SAME_SHAPE = 0.01
#: (start, end) -> the ``N x 2`` int ``(x, y)`` path between two outline points (snapped to edges by the caller).
PathFn = Callable[[tuple[float, float], tuple[float, float]], np.ndarray]
#: the paths of a closed outline, in order -> the ``H x W`` bool region it encloses.
FillFn = Callable[[Sequence[np.ndarray]], np.ndarray]
#: (x, y, radius) -> the ``H x W`` bool region an edge-brush dab there covers.
RegionFn = Callable[[float, float, float], np.ndarray]
#: A click within this share of the frame's long side (at least 6 px) of an outline's first point closes it.
CLOSE_SHARE = 0.02


@dataclass(frozen=True, eq=False)
class Patch:
    """A region added to (``add``) or erased from an object's mask by a tool that is not a disk (the edge brush, a
    closed outline): the ``h x w`` bool ``region`` whose top-left pixel is ``(x0, y0)`` in the frame."""

    x0: int
    y0: int
    region: np.ndarray
    add: bool = True

    @classmethod
    def of(cls, mask: np.ndarray, add: bool) -> Patch:
        """The patch of an ``H x W`` bool mask (cropped to its bounding box); ``InputError`` when it is empty."""
        ys, xs = np.nonzero(mask)
        if ys.size == 0:
            raise InputError("the tool found no pixels there: nothing to add or erase")
        y0, x0 = int(ys.min()), int(xs.min())
        return cls(x0, y0, mask[y0 : int(ys.max()) + 1, x0 : int(xs.max()) + 1].copy(), add)

    def apply(self, mask: np.ndarray) -> np.ndarray:
        """``mask`` (``H x W`` bool) with the region added or erased (a new array)."""
        result = mask.copy()
        height, width = self.region.shape
        window = result[self.y0 : self.y0 + height, self.x0 : self.x0 + width]
        if self.add:
            window |= self.region
        else:
            window &= ~self.region
        return result


@dataclass
class PendingOutline:
    """An outline being drawn: the points clicked so far and the snapped paths between consecutive ones."""

    points: list[tuple[float, float]] = field(default_factory=list)
    paths: list[np.ndarray] = field(default_factory=list)


@dataclass
class SceneObject:
    """An object being edited: what segments it (clicks, a box), the brush dabs painted over that, the resulting
    mask and its distance curve. ``segmented`` is the segmenter's mask before the brush (kept so that painting does
    not segment again)."""

    name: str
    curve: Curve = field(default_factory=lambda: Curve.preset("linear"))
    clicks: list[Click] = field(default_factory=list)
    mask: np.ndarray | None = None
    score: float | None = None
    box: Box | None = None
    brush: list[Dab] = field(default_factory=list)
    segmented: np.ndarray | None = None
    #: edge-brush dabs and closed outlines, painted after the disk brush, in order
    patches: list[Patch] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class Edit:
    """One undoable edit. Of object ``index``'s mask: a ``"click"``, a ``"box"`` (``previous``: the box it
    replaced), a ``"brush"`` dab or a ``"patch"`` (an edge-brush dab or a closed outline); clicks and boxes keep the
    segmentation they replaced (``segmented``, ``score``), so undo restores exactly that mask without segmenting
    again. A ``"curve"`` edit of object ``index`` (None: the background) keeps the ``curve`` it replaced.
    ``"frames"`` (new frames or a loaded project; ``index`` None) keeps the whole session from before (``before``,
    without its own ``"frames"`` edits, so at most one old frame pair is held). ``"outline"``: the last point of an
    outline being drawn (what ``undo`` reports when it removes one; never in the history)."""

    index: int | None
    kind: str
    previous: Box | None = None
    segmented: np.ndarray | None = None
    score: float | None = None
    curve: Curve | None = None
    before: Session | None = None


@dataclass
class Session:
    """Everything one user edits. ``version`` changes whenever frames or masks change (cache key)."""

    img0: np.ndarray | None = None
    img1: np.ndarray | None = None
    #: the frames at their uploaded size when that is larger than the working size (else None)
    originals: tuple[np.ndarray, np.ndarray] | None = None
    objects: list[SceneObject] = field(default_factory=list)
    selected: int | None = None
    background: Curve = field(default_factory=lambda: Curve.preset("linear"))
    history: list[Edit] = field(default_factory=list)
    #: the first corner of a box being drawn (two clicks draw a box), or None
    box_corner: tuple[float, float] | None = None
    #: the outline being drawn (outline mode), if any
    outline: PendingOutline = field(default_factory=PendingOutline)
    version: int = 0
    #: the page has said that there is nothing (left) to undo, since the last edit (it says so once)
    told_nothing_to_undo: bool = False

    def __post_init__(self) -> None:
        # Not a field: Gradio turns the state's fields into its page config (``dataclasses.asdict``), and a lock
        # cannot be copied.
        self._edit_lock = threading.RLock()

    @property
    def edit_lock(self) -> threading.RLock:
        """Held by every page event that edits the session: Gradio runs different events of one session at the
        same time, on this same object (an upload still being handled while a click arrives), and edits must not
        interleave."""
        return self._edit_lock

    def snapshot(self) -> Session:
        """A consistent copy to read while edits go on (taken holding ``edit_lock``): frames and masks are shared
        (edits replace them, never write into them); the lists and each object are copied."""
        with self.edit_lock:
            objects = [
                replace(o, clicks=list(o.clicks), brush=list(o.brush), patches=list(o.patches)) for o in self.objects
            ]
            return replace(self, objects=objects, history=list(self.history))

    def __deepcopy__(self, memo: dict) -> Session:
        """A copy of the fields with a lock of its own (Gradio copies the page's initial session for each visitor)."""
        return Session(**{f.name: copy.deepcopy(getattr(self, f.name), memo) for f in fields(self)})

    @property
    def has_frames(self) -> bool:
        return self.img0 is not None and self.img1 is not None

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) of the working frames."""
        if self.img0 is None:
            raise InputError("load frame 0 and frame 1 first")
        return self.img0.shape[0], self.img0.shape[1]


def fit_frame(image: np.ndarray, height: int, width: int, fit: str = LETTERBOX) -> tuple[np.ndarray, str]:
    """``image`` (``h x w x 3`` uint8) at ``height x width`` and how it got there (a notice, ``""`` when its size was
    already that). A different shape (width / height more than ``SAME_SHAPE`` apart) is never stretched: ``fit``
    ``"letterbox"`` scales it to fit inside, centred on black bars; ``"crop"`` scales it to fill and cuts the
    overflow evenly from both sides."""
    if fit not in FITS:
        raise InputError(f"fit must be one of {', '.join(FITS)}, got {fit!r}")
    h, w = image.shape[:2]
    if (h, w) == (height, width):
        return image, ""
    if abs((w / h) / (width / height) - 1) <= SAME_SHAPE:
        return resize(image, height, width), f"resized from {w}x{h}"
    inside = fit == LETTERBOX
    scale = (min if inside else max)(height / h, width / w)
    scaled_h, scaled_w = max(1, round(h * scale)), max(1, round(w * scale))
    scaled = resize(image, scaled_h, scaled_w)
    top, left = abs(height - scaled_h) // 2, abs(width - scaled_w) // 2
    if inside:
        out = np.zeros((height, width, 3), np.uint8)
        out[top : top + scaled_h, left : left + scaled_w] = scaled
        sides = "left and right" if scaled_w < width else "top and bottom"
        return out, f"letterboxed from {w}x{h} (scaled to {scaled_w}x{scaled_h}, black bars {sides})"
    sides = "left and right" if scaled_w > width else "top and bottom"
    how = f"cropped from {w}x{h} (scaled to {scaled_w}x{scaled_h}, cut {sides})"
    return scaled[top : top + height, left : left + width], how


def frames_match(a: np.ndarray | None, b: np.ndarray) -> bool:
    """Whether two frames are the same picture: same size, mean absolute difference at most ``FRAME_MATCH_LEVELS``."""
    if a is None or a.shape != b.shape:
        return False
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean()) <= FRAME_MATCH_LEVELS


def _prepare_frames(
    img0: np.ndarray, img1: np.ndarray, fit: str
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None, list[str]]:
    """Checked frames at the working size, the originals kept when larger (else None), and notices."""
    notices = []
    for name, image in (("frame 0", img0), ("frame 1", img1)):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise InputError(f"{name} must be an RGB image, got shape {image.shape} {image.dtype}")
        check_min_side(image.shape[1], image.shape[0], name)
    height, width = img0.shape[:2]
    img1, how = fit_frame(img1, height, width, fit)
    if how:
        notices.append(f"frame 1 was {how} to frame 0's {width}x{height}")
    work_h, work_w = working_size(height, width)
    originals = None
    if (work_h, work_w) != (height, width):
        notices.append(
            f"frames are {width}x{height}; working at {work_w}x{work_h} (choose the output size when rendering)"
        )
        kept_h, kept_w = working_size(height, width, limit=MAX_ORIGINAL_SIDE)
        if (kept_h, kept_w) != (height, width):
            notices.append(f"the original size is kept at most at {kept_w}x{kept_h}")
        originals = (resize(img0, kept_h, kept_w), resize(img1, kept_h, kept_w))
        img0, img1 = resize(img0, work_h, work_w), resize(img1, work_h, work_w)
    return img0, img1, originals, notices


def _state_edit(session: Session) -> Edit:
    """An undoable ``"frames"`` edit holding the session as it is now (its own older ``"frames"`` edits dropped)."""
    before = session.snapshot()
    before.history = [e for e in before.history if e.kind != "frames"]
    return Edit(None, "frames", before=before)


def _record_state(session: Session, edit: Edit | None) -> None:
    """Put a ``"frames"`` edit on the history in place of any older one (None: the session had nothing to undo to)."""
    session.history = [e for e in session.history if e.kind != "frames"]
    if edit is not None:
        _remember(session, edit)


def set_frames(session: Session, img0: np.ndarray, img1: np.ndarray, fit: str = LETTERBOX) -> list[str]:
    """Load a frame pair; returns notices (resizing, fitting, what became of the objects). Frame 1 of another
    shape is fitted to frame 0 (``fit_frame``).

    The objects are masks on frame 0: when the new frame 0 is the same picture (``frames_match``) they are kept,
    otherwise cleared with a notice. Either way the change is one undoable edit that brings back the old frames and
    objects.
    """
    img0, img1, originals, notices = _prepare_frames(img0, img1, fit)
    unchanged = session.has_frames and np.array_equal(session.img0, img0) and np.array_equal(session.img1, img1)
    edit = _state_edit(session) if session.has_frames and not unchanged else None
    count = len(session.objects)
    if frames_match(session.img0, img0):
        if count:
            new1 = "" if np.array_equal(session.img1, img1) else "new frame 1; "
            notices.append(f"{new1}frame 0 is the same picture: its {_objects(count)} kept")
    else:
        if count:
            notices.append(
                f"frame 0 changed: its {_objects(count)} cleared (their masks belonged to the old frame 0); "
                "Undo brings back the old frames and objects"
            )
        clear_objects(session)
    session.img0, session.img1, session.originals = img0, img1, originals
    if not unchanged:
        _record_state(session, edit)
    session.version += 1
    return notices


def _objects(count: int) -> str:
    """``"3 objects were"`` / ``"object was"``, for notices."""
    return "object was" if count == 1 else f"{count} objects were"


def _check_index(session: Session, index: int | None) -> int:
    if index is None or not 0 <= index < len(session.objects):
        raise InputError("select an object first")
    return index


def add_object(session: Session, name: str | None = None) -> int:
    """Append a new (empty) object, select it, and return its index.

    ``name`` is cleaned and made unique (``"ball"`` becomes ``"ball 2"`` when taken); ``None``: ``"object N"``.
    """
    if len(session.objects) >= MAX_APP_OBJECTS:
        raise InputError(f"at most {MAX_APP_OBJECTS} objects; delete one first")
    taken = {o.name for o in session.objects}
    if name is None:
        number = len(session.objects) + 1
        while f"object {number}" in taken:
            number += 1
        name = f"object {number}"
    session.objects.append(SceneObject(name=unique_name(clean_name(name), taken)))
    session.selected = len(session.objects) - 1
    return session.selected


def clean_name(name: str) -> str:
    """An object name as the page keeps it: printable characters only (no control or invisible format characters),
    runs of whitespace as one space, at most ``MAX_NAME_LENGTH`` characters. ``InputError`` when nothing is left."""
    visible = "".join(char for char in name if char.isprintable() or char.isspace())
    cleaned = " ".join(visible.split())[:MAX_NAME_LENGTH].rstrip()
    if not cleaned:
        raise InputError(f"an object name cannot be empty (it needs a visible character), got {name!r}")
    return cleaned


def unique_name(name: str, taken: Collection[str]) -> str:
    """``name``, or the first of ``name 2``, ``name 3``… (shortened to fit ``MAX_NAME_LENGTH``) not in ``taken``."""
    if name not in taken:
        return name
    numbered = (f"{name[: MAX_NAME_LENGTH - len(f' {n}')].rstrip()} {n}" for n in itertools.count(2))
    return next(candidate for candidate in numbered if candidate not in taken)


def rename_object(session: Session, index: int | None, name: str) -> None:
    """Rename an object (cleaned as ``clean_name`` does); another object's name is refused."""
    index = _check_index(session, index)
    cleaned = clean_name(name)
    if any(o.name == cleaned for i, o in enumerate(session.objects) if i != index):
        raise InputError(f"another object is already called {cleaned!r}")
    session.objects[index].name = cleaned


def delete_object(session: Session, index: int | None) -> None:
    index = _check_index(session, index)
    del session.objects[index]
    session.history = [_reindexed(e, index) for e in session.history if e.index != index]
    session.selected = None if not session.objects else min(index, len(session.objects) - 1)
    session.version += 1


def _reindexed(edit: Edit, deleted: int) -> Edit:
    """``edit`` after object ``deleted`` is gone (the objects after it move up one)."""
    if edit.index is None or edit.index < deleted:
        return edit
    return replace(edit, index=edit.index - 1)


def clear_objects(session: Session) -> None:
    session.objects, session.selected, session.history, session.box_corner = [], None, [], None
    session.outline = PendingOutline()
    session.version += 1


def _paint(session: Session, obj: SceneObject) -> None:
    """The object's mask: its segmented mask with the brush painted over it (None when nothing is left)."""
    painted = paint_brush(obj.segmented, obj.brush, session.size)
    for patch in obj.patches:
        painted = patch.apply(painted)
    obj.mask = painted if painted.any() else None
    session.version += 1


def _segment(session: Session, obj: SceneObject, segment: SegmentFn) -> None:
    """Segment the object from its clicks and box (a box alone: its centre is the object), then paint its brush."""
    if not any(c.positive for c in obj.clicks) and obj.box is None:
        obj.segmented, obj.score = None, None
    else:
        mask, score = segment(session.img0, session.img1, prompt_clicks(obj.clicks, obj.box), obj.box)
        obj.segmented, obj.score = np.asarray(mask) > 0, float(score)
    _paint(session, obj)


def _remember(session: Session, edit: Edit) -> None:
    """Add an edit to the undo history, which keeps the last ``MAX_UNDO_EDITS`` (older edits stay as they are; each
    kept click or box holds a mask, so the history is bounded like everything else a session holds)."""
    session.history.append(edit)
    del session.history[:-MAX_UNDO_EDITS]
    session.told_nothing_to_undo = False


def _check_point(session: Session, x: float, y: float, what: str) -> None:
    if not session.has_frames:
        raise InputError("load frame 0 and frame 1 first, then click on frame 0")
    height, width = session.size
    if not (math.isfinite(x) and math.isfinite(y) and 0 <= x < width and 0 <= y < height):
        raise InputError(f"{what} ({x:g}, {y:g}) is outside the {width}x{height} frame")


def _editing(session: Session, starts: bool, what: str) -> SceneObject:
    """The selected object; a new one when none is selected and this edit can start one."""
    if session.selected is None or not session.objects:
        if not starts:
            raise InputError(f"select an object first: {what} cannot start one")
        add_object(session)
    return session.objects[_check_index(session, session.selected)]


def click(session: Session, x: float, y: float, positive: bool, segment: SegmentFn) -> int:
    """Add a click to the selected object (creating one if needed), re-segment it; return its index."""
    _check_point(session, x, y, "click")
    if (session.selected is None or not session.objects) and not positive:
        raise InputError("start an object with a positive click (on the object)")
    obj = _editing(session, True, "a click")
    if len(obj.clicks) >= MAX_POINTS:
        raise InputError(f"at most {MAX_POINTS} clicks per object; undo one or start a new object")
    obj.clicks.append(Click(float(x), float(y), positive))
    _remember(session, Edit(session.selected, "click", None, obj.segmented, obj.score))
    _segment(session, obj, segment)
    return session.selected


def set_box(session: Session, corner0: tuple[float, float], corner1: tuple[float, float], segment: SegmentFn) -> int:
    """Give the selected object (a new one if none) the box spanned by two corners, re-segment it; its index."""
    for corner in (corner0, corner1):
        _check_point(session, *corner, "box corner")
    (x0, x1), (y0, y1) = sorted((corner0[0], corner1[0])), sorted((corner0[1], corner1[1]))
    if x1 - x0 < MIN_BOX_SIDE or y1 - y0 < MIN_BOX_SIDE:
        raise InputError(f"a box needs two corners at least {MIN_BOX_SIDE} px apart, got {corner0} and {corner1}")
    obj = _editing(session, True, "a box")
    _remember(session, Edit(session.selected, "box", obj.box, obj.segmented, obj.score))
    obj.box = Box(float(x0), float(y0), float(x1 + 1), float(y1 + 1))
    _segment(session, obj, segment)
    return session.selected


def box_click(session: Session, x: float, y: float, segment: SegmentFn) -> int | None:
    """A click in box mode: the first sets a corner (returns None), the second draws the box (returns the index)."""
    _check_point(session, x, y, "box corner")
    if session.box_corner is None:
        session.box_corner = (float(x), float(y))
        return None
    corner, session.box_corner = session.box_corner, None
    return set_box(session, corner, (float(x), float(y)), segment)


def _check_radius(radius: float) -> None:
    if not (math.isfinite(radius) and 0 < radius <= MAX_BRUSH_RADIUS):
        raise InputError(f"brush radius must be in (0, {MAX_BRUSH_RADIUS:g}] px, got {radius!r}")


def paint(session: Session, x: float, y: float, radius: float, add: bool) -> int:
    """Add (or erase) a disk of ``radius`` pixels at ``(x, y)`` to the selected object's mask; its index.

    Adding can start a new object (painted by hand); erasing needs a selected object. Nothing is segmented again.
    """
    _check_point(session, x, y, "brush")
    _check_radius(radius)
    obj = _editing(session, add, "erasing")
    if len(obj.brush) >= MAX_BRUSH_DABS:
        raise InputError(f"at most {MAX_BRUSH_DABS} brush dabs per object; undo some or start a new object")
    obj.brush.append(Dab(float(x), float(y), float(radius), add))
    _remember(session, Edit(session.selected, "brush"))
    _paint(session, obj)
    return session.selected


def paint_patch(session: Session, region: np.ndarray, add: bool) -> int:
    """Add (or erase) ``region`` (``H x W`` bool, from the edge brush) to the selected object's mask; its index.

    Adding can start a new object; erasing needs a selected object. Nothing is segmented again.
    """
    if not session.has_frames:
        raise InputError("load frame 0 and frame 1 first, then click on frame 0")
    if region.shape != session.size:
        raise InputError(f"a region must be {session.size[0]} x {session.size[1]}, got {region.shape}")
    obj = _editing(session, add, "erasing")
    if len(obj.brush) + len(obj.patches) >= MAX_BRUSH_DABS:
        raise InputError(f"at most {MAX_BRUSH_DABS} brush dabs per object; undo some or start a new object")
    obj.patches.append(Patch.of(np.asarray(region, bool), add))
    _remember(session, Edit(session.selected, "patch"))
    _paint(session, obj)
    return session.selected


def edge_paint(session: Session, x: float, y: float, radius: float, add: bool, region: RegionFn) -> int:
    """An edge-brush dab at ``(x, y)``: the region ``region(x, y, radius)`` gives (whole superpixels the disk mostly
    covers) added to or erased from the selected object's mask (``paint_patch``); its index."""
    _check_point(session, x, y, "brush")
    _check_radius(radius)
    return paint_patch(session, region(x, y, radius), add)


def outline_click(session: Session, x: float, y: float, path: PathFn, fill: FillFn) -> int | None:
    """A click in outline mode: a new point of the outline being drawn (the path from the previous point snapped by
    ``path``); a click near the first point (``CLOSE_SHARE``) of an outline with three or more points closes it and
    adds the region ``fill`` makes of its paths to the selected object (a new one if none). Returns the object's
    index when the outline closed, else None."""
    _check_point(session, x, y, "outline point")
    pending = session.outline
    point = (float(x), float(y))
    if pending.points:
        first = pending.points[0]
        near = max(6.0, CLOSE_SHARE * max(session.size))
        if len(pending.points) >= 3 and math.hypot(x - first[0], y - first[1]) <= near:
            paths = [*pending.paths, np.asarray(path(pending.points[-1], first))]
            session.outline = PendingOutline()
            return paint_patch(session, fill(paths), True)
        if len(pending.points) >= MAX_POINTS:
            raise InputError(f"at most {MAX_POINTS} outline points; close the outline on its first point")
        pending.paths.append(np.asarray(path(pending.points[-1], point)))
    pending.points.append(point)
    session.version += 1
    return None


def undo(session: Session) -> Edit | None:
    """Undo the most recent edit (a click, box, brush dab or patch of any object, a curve change, new frames or a
    loaded project); returns it (None: nothing to undo). Its object is selected. An outline being drawn loses its
    last point instead (an ``"outline"`` edit is returned).

    A mask comes back exactly as it was, without segmenting again; new frames or a loaded project give back the
    frames, objects and curves from before.
    """
    session.box_corner = None
    if session.outline.points:
        session.outline.points.pop()
        del session.outline.paths[max(0, len(session.outline.points) - 1) :]
        session.version += 1
        return Edit(session.selected, "outline")
    if not session.history:
        return None
    edit = session.history.pop()
    if edit.kind == "frames" and edit.before is not None:
        for name in ("img0", "img1", "originals", "objects", "selected", "background", "history"):
            setattr(session, name, getattr(edit.before, name))
        session.outline = PendingOutline()
        session.version += 1
        return edit
    if edit.kind == "curve" and edit.curve is not None:
        set_curve(session, edit.index, edit.curve, remember=False)
    else:
        obj = session.objects[_check_index(session, edit.index)]
        if edit.kind == "brush":
            obj.brush.pop()
        elif edit.kind == "patch":
            obj.patches.pop()
        else:
            if edit.kind == "box":
                obj.box = edit.previous
            else:
                obj.clicks.pop()
            obj.segmented, obj.score = edit.segmented, edit.score
        _paint(session, obj)
    session.selected = edit.index if edit.index is not None else session.selected
    return edit


def set_curve(session: Session, index: int | None, curve: Curve, remember: bool = True) -> None:
    """Set an object's curve, or the background's when ``index`` is None; a change is undoable unless
    ``remember`` is False."""
    if index is not None:
        index = _check_index(session, index)
    old = session.background if index is None else session.objects[index].curve
    if remember and curve != old:
        _remember(session, Edit(index, "curve", curve=old))
    if index is None:
        session.background = curve
    else:
        session.objects[index].curve = curve


def curve_from_knots(values: Sequence[float]) -> Curve:
    """A curve through ``KNOTS`` with the given slider values (clipped to [0, 1])."""
    if len(values) != len(KNOTS):
        raise InputError(f"need {len(KNOTS)} keyframe values, got {len(values)}")
    return Curve(tuple((t, float(np.clip(v, 0.0, 1.0))) for t, v in zip(KNOTS, values, strict=True)))


def masked_objects(session: Session) -> list[SceneObject]:
    """Objects that have a mask (objects still without one are ignored when rendering)."""
    return [o for o in session.objects if o.mask is not None and o.mask.any()]


def to_inputs(session: Session, original_size: bool = False) -> ProjectInputs:
    """Frames and masks for rendering: at the working size, or at the uploaded size (masks scaled up)."""
    if not session.has_frames:
        raise InputError("load frame 0 and frame 1 first")
    masks = [o.mask for o in masked_objects(session)]
    if original_size and session.originals is not None:
        img0, img1 = session.originals
        height, width = img0.shape[:2]
        return ProjectInputs(img0, img1, tuple(resize_mask(m, height, width) for m in masks))
    return ProjectInputs(session.img0, session.img1, tuple(masks))


def to_project(session: Session, **settings: object) -> Project:
    """A self-contained project (frames and masks embedded as PNG data URIs) with the given settings."""
    if not session.has_frames:
        raise InputError("load frame 0 and frame 1 first")
    objects = tuple(
        # with patches the embedded mask alone is the truth: dabs replayed over it after a patch could undo the patch
        ObjectSpec(o.name, o.curve, png_data_uri(o.mask), tuple(o.clicks), o.box, () if o.patches else tuple(o.brush))
        for o in masked_objects(session)
    )
    return Project(
        frame0=png_data_uri(session.img0),
        frame1=png_data_uri(session.img1),
        background=session.background,
        objects=objects,
        **settings,
    )


def _loaded_name(name: str, index: int, taken: Collection[str]) -> str:
    """A loaded object's name under the page's rules: cleaned (``object N`` when nothing visible is left), unique."""
    try:
        cleaned = clean_name(name)
    except InputError:
        cleaned = f"object {index + 1}"
    return unique_name(cleaned, taken)


def from_project(session: Session, project: Project, inputs: ProjectInputs) -> list[str]:
    """Restore a session from a loaded project under the page's rules (at most ``MAX_APP_OBJECTS`` objects, names clean
    and unique); returns notices. Undo gives back the session from before (one ``"frames"`` edit)."""
    check_object_count(len(project.objects))
    img0, img1, originals, notices = _prepare_frames(inputs.img0, inputs.img1, LETTERBOX)
    edit = _state_edit(session) if session.has_frames else None
    clear_objects(session)
    session.img0, session.img1, session.originals = img0, img1, originals
    height, width = session.size
    scale_x, scale_y = width / inputs.img0.shape[1], height / inputs.img0.shape[0]
    for index, (spec, mask) in enumerate(zip(project.objects, inputs.masks, strict=True)):
        resized = resize_mask(mask, height, width)
        clicks = [Click(c.x * scale_x, c.y * scale_y, c.positive) for c in spec.points]
        box = spec.box and Box(
            spec.box.x0 * scale_x, spec.box.y0 * scale_y, spec.box.x1 * scale_x, spec.box.y1 * scale_y
        )
        brush = [Dab(d.x * scale_x, d.y * scale_y, d.radius * scale_x, d.add) for d in spec.brush]
        name = _loaded_name(spec.name, index, {o.name for o in session.objects})
        # the saved mask already holds the brush: painting it again over the mask changes nothing
        session.objects.append(SceneObject(name, spec.curve, clicks, resized, None, box, brush, resized))
    session.background = project.background
    session.selected = 0 if session.objects else None
    _record_state(session, edit)  # loading is one undoable edit
    session.version += 1
    return notices
