"""Project files: a versioned JSON description of a manipulated interpolation that the app saves and loads.

```json
{"format": "interp-project", "version": 1,
 "frame0": "a.png", "frame1": "b.png", "num_frames": 9, "fps": 10, "model": "rife-v4",
 "background": {"curve": [[0, 0], [1, 1]]},
 "objects": [{"name": "ball", "mask": "ball_mask.png", "curve": [[0, 0], [0.5, 1], [1, 1]]},
             {"name": "car", "points": [[120, 80, 1], [135, 60, 0]], "curve": [[0, 0], [1, 0.3]]}]}
```

File references (frames, masks) are paths relative to the JSON file, or ``data:image/png;base64,…`` URIs (the app
saves self-contained projects that way). A mask is a PNG the size of frame 0, non-zero = object; ``points`` are
``[x, y, label]`` clicks (1 positive, 0 negative), ``box`` an optional ``[x0, y0, x1, y1]`` around the object and
``brush`` ``[x, y, radius, add]`` dabs (1 adds a disk, 0 erases one), segmented and painted when the project is loaded
without a mask (a mask is final: the app saves the mask and, for later editing, how it was made). A project parsed
without a folder (``base_dir=None``: one sent to the app) may name no file at all. Optional fields: ``renderer``
(absent: the model's default), ``iters`` (R models), ``loop`` (``"forward"`` or ``"there-and-back"`` for the
animations). Unknown fields are kept on save. Every validation error names the field.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from interp.core.curves import Curve
from interp.core.renderers import RENDERERS
from interp.errors import InputError
from interp.io.files import atomic_path
from interp.io.outputs import LOOPS
from interp.limits import (
    MAX_BRUSH_DABS,
    MAX_BRUSH_RADIUS,
    MAX_FPS,
    MAX_ITERS,
    MAX_POINTS,
    MAX_PROJECT_OBJECTS,
    MAX_SEQUENCE_FRAMES,
    MIN_FPS,
)
from interp.models.registry import DEFAULT_MODEL, Kind, get_spec

FORMAT = "interp-project"
VERSION = 1

DATA_URI_PREFIX = "data:image/png;base64,"
#: Longest file reference quoted in full by an error message.
MAX_QUOTED_REFERENCE = 80


class ProjectError(InputError):
    """A project file that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Click:
    """A click at pixel ``(x, y)`` of frame 0 (column, row; the pixel's centre is ``(x + 0.5, y + 0.5)``).

    ``positive`` clicks mark the object, negative ones mark what is not the object.
    """

    x: float
    y: float
    positive: bool = True

    def pixel(self) -> tuple[int, int]:
        """The ``(x, y)`` index of the clicked pixel."""
        return math.floor(self.x), math.floor(self.y)


@dataclass(frozen=True)
class Box:
    """An axis-aligned box ``[x0, x1) x [y0, y1)`` in pixels of frame 0 that contains the object."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Dab:
    """One touch of the mask brush: a disk of ``radius`` pixels at ``(x, y)`` added to the mask (``add``) or
    erased from it."""

    x: float
    y: float
    radius: float
    add: bool = True


@dataclass(frozen=True)
class ObjectSpec:
    """One object: its name, distance curve, and a mask reference and/or what segments it (clicks, a box) and the
    brush dabs applied after segmenting. A mask, when given, is final (brush included)."""

    name: str
    curve: Curve
    mask: str | None = None
    points: tuple[Click, ...] = ()
    box: Box | None = None
    brush: tuple[Dab, ...] = ()


@dataclass(frozen=True)
class Project:
    """A parsed, validated project.

    ``base_dir`` resolves relative file references (the folder of the JSON file, for the CLI). ``None``: the project
    came without a folder (uploaded to the app, sent to its API) and may reference no file at all, only data URIs.
    """

    frame0: str
    frame1: str
    num_frames: int = 9
    fps: float = 10.0
    model: str = DEFAULT_MODEL
    background: Curve = field(default_factory=lambda: Curve.preset("linear"))
    objects: tuple[ObjectSpec, ...] = ()
    renderer: str | None = None
    iters: int = 2
    loop: str = "forward"
    base_dir: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def field_error(where: str, message: str) -> ProjectError:
    """The error for a bad project field: ``"project field objects[0].mask: <message>"``."""
    return ProjectError(f"project field {where}: {message}")


def _number(data: dict[str, Any], key: str, kind: type, default: Any, low: float, high: float) -> Any:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and not float(value).is_integer()):
        raise field_error(key, f"must be {'an integer' if kind is int else 'a number'}, got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise field_error(key, f"must be between {low:g} and {high:g}, got {value!r}")
    return kind(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _curve(value: Any, where: str) -> Curve:
    if not isinstance(value, list):
        raise field_error(where, f"must be a list of [t, d] keyframes, got {value!r}")
    for index, point in enumerate(value):
        if not (isinstance(point, list) and len(point) == 2 and all(_is_number(v) for v in point)):
            raise field_error(where, f"keyframe {index} must be [t, d] (two numbers), got {point!r}")
    try:
        return Curve.from_points(value)
    except (TypeError, ValueError) as exc:
        raise field_error(where, str(exc)) from None


def _flagged_rows(value: Any, where: str, layout: str, limit: int, what: str) -> list[list[float]]:
    """A list of at most ``limit`` rows of finite numbers shaped like ``layout`` (e.g. ``"[x, y, label]"``) whose
    last entry is a 0/1 flag."""
    width = layout.count(",") + 1
    flag = layout.strip("[]").split(", ")[-1]
    if not isinstance(value, list):
        raise field_error(where, f"must be a list of {layout}, got {value!r}")
    if len(value) > limit:
        raise field_error(where, f"at most {limit} {what} per object, got {len(value)}")
    for index, row in enumerate(value):
        ok = isinstance(row, list) and len(row) == width and all(isinstance(v, int | float) for v in row)
        if not ok or row[-1] not in (0, 1) or not all(math.isfinite(v) for v in row[:-1]):
            raise field_error(f"{where}[{index}]", f"must be {layout} with {flag} 0 or 1, got {row!r}")
    return value


def _points(value: Any, where: str) -> tuple[Click, ...]:
    rows = _flagged_rows(value, where, "[x, y, label]", MAX_POINTS, "points")
    return tuple(Click(float(x), float(y), bool(label)) for x, y, label in rows)


def _box(value: Any, where: str) -> Box | None:
    if value is None:
        return None
    ok = isinstance(value, list) and len(value) == 4 and all(isinstance(v, int | float) for v in value)
    if not ok or not all(math.isfinite(v) for v in value) or value[0] >= value[2] or value[1] >= value[3]:
        raise field_error(where, f"must be [x0, y0, x1, y1] with x0 < x1 and y0 < y1, got {value!r}")
    return Box(*(float(v) for v in value))


def _brush(value: Any, where: str) -> tuple[Dab, ...]:
    rows = _flagged_rows(value, where, "[x, y, radius, add]", MAX_BRUSH_DABS, "brush dabs")
    for index, row in enumerate(rows):
        if not 0 < row[2] <= MAX_BRUSH_RADIUS:
            raise field_error(f"{where}[{index}]", f"radius must be in (0, {MAX_BRUSH_RADIUS}], got {row[2]!r}")
    return tuple(Dab(float(x), float(y), float(radius), bool(add)) for x, y, radius, add in rows)


def _object(data: Any, index: int) -> ObjectSpec:
    where = f"objects[{index}]"
    if not isinstance(data, dict):
        raise field_error(where, f"must be an object, got {data!r}")
    name = data.get("name", f"object {index + 1}")
    if not isinstance(name, str) or not name.strip():
        raise field_error(f"{where}.name", f"must be a non-empty string, got {name!r}")
    mask = data.get("mask")
    if mask is not None and (not isinstance(mask, str) or not mask):
        raise field_error(f"{where}.mask", f"must be a file path or a PNG data URI, got {mask!r}")
    points = _points(data.get("points", []), f"{where}.points")
    box = _box(data.get("box"), f"{where}.box")
    brush = _brush(data.get("brush", []), f"{where}.brush")
    if mask is None and not any(p.positive for p in points) and box is None and not any(d.add for d in brush):
        raise field_error(where, "needs a mask, a positive point, a box or a brush dab that adds")
    if "curve" not in data:
        raise field_error(f"{where}.curve", "is missing")
    return ObjectSpec(name.strip(), _curve(data["curve"], f"{where}.curve"), mask, points, box, brush)


_KNOWN = {
    "format",
    "version",
    "frame0",
    "frame1",
    "num_frames",
    "fps",
    "model",
    "background",
    "objects",
    "renderer",
    "iters",
    "loop",
}


def parse_project(data: Any, base_dir: Path | None = None) -> Project:
    """Validate a decoded JSON document; raise ``ProjectError`` naming the first bad field."""
    if not isinstance(data, dict):
        raise ProjectError("a project must be a JSON object")
    if data.get("format") != FORMAT:
        raise field_error("format", f"must be {FORMAT!r}, got {data.get('format')!r}")
    if data.get("version") == 2:
        raise field_error(
            "version", "2 is a clip project (a video retimed per object): render it with python -m interp render"
        )
    if data.get("version") != VERSION:
        raise field_error("version", f"version {data.get('version')!r} is not supported (this interp reads {VERSION})")
    frames = []
    for key in ("frame0", "frame1"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise field_error(key, f"must be a file path or a PNG data URI, got {value!r}")
        frames.append(value)
    background = data.get("background", {"curve": [[0, 0], [1, 1]]})
    if not isinstance(background, dict) or "curve" not in background:
        raise field_error("background", 'must be {"curve": [[t, d], …]}')
    objects = data.get("objects", [])
    if not isinstance(objects, list) or len(objects) > MAX_PROJECT_OBJECTS:
        raise field_error("objects", f"must be a list of at most {MAX_PROJECT_OBJECTS} objects")
    for key, kind in (("model", str), ("renderer", str), ("loop", str)):
        if key in data and not isinstance(data[key], kind):
            raise field_error(key, f"must be a string, got {data[key]!r}")
    loop = data.get("loop", "forward")
    if loop not in LOOPS:
        raise field_error("loop", f"must be one of {', '.join(LOOPS)}, got {loop!r}")
    renderer = data.get("renderer")
    if renderer is not None and renderer not in RENDERERS:
        raise field_error("renderer", f"must be one of {', '.join(RENDERERS)}, got {renderer!r}")
    model = data.get("model", DEFAULT_MODEL)
    try:
        model = get_spec(model, Kind.INTERPOLATOR).name
    except InputError as exc:
        raise field_error("model", str(exc)) from None
    return Project(
        frame0=frames[0],
        frame1=frames[1],
        num_frames=_number(data, "num_frames", int, 9, 2, MAX_SEQUENCE_FRAMES),
        fps=_number(data, "fps", float, 10.0, MIN_FPS, MAX_FPS),
        model=model,
        background=_curve(background["curve"], "background.curve"),
        objects=tuple(_object(item, i) for i, item in enumerate(objects)),
        renderer=renderer,
        iters=_number(data, "iters", int, 2, 1, MAX_ITERS),
        loop=loop,
        base_dir=base_dir,
        extra={k: v for k, v in data.items() if k not in _KNOWN},
    )


#: Longest integer a project reads exactly: longer ones (a 5000-digit integer cannot even be converted by Python)
#: are read as floats, where they are infinite or far beyond every bound, and refused as such.
MAX_INTEGER_DIGITS = 18


def _json_int(text: str) -> int | float:
    return int(text) if len(text.lstrip("-")) <= MAX_INTEGER_DIGITS else float(text)


def decode_json(text: str | bytes, what: str = "the project") -> Any:
    """The JSON document in ``text``; ``ProjectError`` saying ``what`` is not valid JSON when it is not.

    That includes text that is not UTF-8 and documents nested deeper than Python's parser can follow (which would
    otherwise surface as "maximum recursion depth exceeded"); integers of more than ``MAX_INTEGER_DIGITS`` digits
    are read as floats.
    """
    try:
        return json.loads(text, parse_int=_json_int)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ProjectError(f"{what} is not valid JSON: it is nested too deeply") from None


def load_project(path: Path | str) -> Project:
    """Read and validate a project file (relative references resolve against its folder)."""
    path = Path(path)
    if not path.is_file():
        raise ProjectError(f"no such project file: {path}")
    return parse_project(decode_json(path.read_bytes(), str(path)), path.parent.resolve())


def project_to_dict(project: Project) -> dict[str, Any]:
    """The JSON document of a project (the inverse of ``parse_project``)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        **project.extra,
        "frame0": project.frame0,
        "frame1": project.frame1,
        "num_frames": project.num_frames,
        "fps": project.fps,
        "model": project.model,
        "iters": project.iters,
        "loop": project.loop,
        "background": {"curve": project.background.to_points()},
        "objects": [],
    }
    if project.renderer is not None:
        document["renderer"] = project.renderer
    for obj in project.objects:
        item: dict[str, Any] = {"name": obj.name, "curve": obj.curve.to_points()}
        if obj.mask is not None:
            item["mask"] = obj.mask
        if obj.points:
            item["points"] = [[p.x, p.y, int(p.positive)] for p in obj.points]
        if obj.box is not None:
            item["box"] = [obj.box.x0, obj.box.y0, obj.box.x1, obj.box.y1]
        if obj.brush:
            item["brush"] = [[d.x, d.y, d.radius, int(d.add)] for d in obj.brush]
        document["objects"].append(item)
    return document


def project_json(project: Project) -> str:
    """The project as indented JSON text, with number lists (keyframes, points) kept on one line."""
    text = json.dumps(project_to_dict(project), indent=2)
    return (
        re.sub(
            r"\[\s+([-+0-9.eE,\s]+?)\s+\]", lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text
        )
        + "\n"
    )


def save_project(project: Project, path: Path | str) -> Path:
    """Write a project as JSON, atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(project_json(project), encoding="utf-8")
    return path


def png_data_uri(image: np.ndarray) -> str:
    """Encode an ``H x W`` bool/uint8 mask or ``H x W x 3`` uint8 image as a PNG data URI."""
    array = image.astype(np.uint8) * 255 if image.dtype == bool else image.astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return DATA_URI_PREFIX + base64.b64encode(buffer.getvalue()).decode("ascii")


def file_path_refusal(reference: str) -> str:
    """Why a project without a folder (one sent to the app) may not name a file: the same words for every path.

    The message depends only on the reference as written, never on the disk (whether it exists, is an image, its
    size), so that a project sent over the web learns nothing about the server's files.
    """
    shown = reference if len(reference) <= MAX_QUOTED_REFERENCE else reference[:MAX_QUOTED_REFERENCE] + "…"
    return (
        f"{shown!r} is a file path; a project sent to the app cannot read files, so embed the images as "
        "data:image/png;base64,… URIs (projects saved by the app do) or give objects as points "
        "(python -m interp render PROJECT.json reads files next to the project)"
    )


#: Turns clicks and an optional box into a mask: (frame 0, frame 1, clicks, box) -> ``H x W`` bool (a
#: ``sam_utils.segmenter.Segmenter``'s ``segment`` without its score).
SegmentFn = Callable[[np.ndarray, np.ndarray, Sequence[Click], Box | None], np.ndarray]


def prompt_clicks(clicks: Sequence[Click], box: Box | None) -> list[Click]:
    """The clicks a segmenter gets: ``clicks``, plus the box's centre as the object when no click is positive (a
    box alone says "the object is in here")."""
    prompts = list(clicks)
    if box is not None and not any(c.positive for c in prompts):
        prompts.append(Click((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
    return prompts


def paint_brush(mask: np.ndarray | None, brush: Sequence[Dab], shape: tuple[int, int]) -> np.ndarray:
    """``mask`` (``H x W`` bool, or None for empty) with each dab's disk added or erased in order.

    Each dab touches only the square around its disk (its cost grows with its radius, not with the frame).
    """
    painted = np.zeros(shape, bool) if mask is None else mask.copy()
    for dab in brush:
        # pixel centres (x + 0.5, y + 0.5) within the radius lie in these rows and columns
        x0, x1 = max(0, math.floor(dab.x - dab.radius)), min(shape[1], math.ceil(dab.x + dab.radius) + 1)
        y0, y1 = max(0, math.floor(dab.y - dab.radius)), min(shape[0], math.ceil(dab.y + dab.radius) + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        ys, xs = np.ogrid[y0:y1, x0:x1]
        disk = (xs + 0.5 - dab.x) ** 2 + (ys + 0.5 - dab.y) ** 2 <= dab.radius**2
        window = painted[y0:y1, x0:x1]
        if dab.add:
            window |= disk
        else:
            window &= ~disk
    return painted


def with_overrides(project: Project, **changes: Any) -> Project:
    """A copy with the given fields replaced (``None`` values are ignored), re-validated."""
    applied = {k: v for k, v in changes.items() if v is not None}
    return parse_project(project_to_dict(replace(project, **applied)), project.base_dir)
