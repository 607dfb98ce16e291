"""Clip projects (version 2): retime each object of a video on its own curve.

```json
{"format": "interp-project", "version": 2, "video": "race.mp4", "num_frames": 240, "fps": 24,
 "background": {"curve": [[0, 0], [1, 1]]},
 "objects": [{"name": "runner", "frame": 30, "points": [[410, 220, 1]], "curve": [[0, 0], [1, 0.5]]},
             {"name": "ball", "frame": 0, "masks": "ball_masks/", "curve": [[0, 0.2], [1, 0.2]]}]}
```

``video`` is a video file or a folder of frames (PNG/JPEG, sorted by name), relative to the JSON like every path.
A curve maps output time u (0 = first output frame, 1 = last) to clip time s (0 = first clip frame, 1 = last); the
background's curve moves everything that is not an object. Each object is given on clip frame ``frame`` (0-based) by
a ``mask`` (a PNG the size of the clip's frames), ``points`` / ``box`` (segmented) and ``brush`` dabs, exactly as in
a two-frame project, and followed through the clip by the tracker; or by ``masks``, a folder with one mask per clip
frame (``mask_0000.png``…, as ``python -m interp track`` writes them). ``num_frames`` (default: the clip's length)
and ``fps`` (default: the clip's rate, 24 for a folder) are the output's. Optional: ``model``, ``iters``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interp.core.curves import Curve
from interp.errors import InputError
from interp.limits import MAX_FPS, MAX_ITERS, MAX_PROJECT_OBJECTS, MAX_SEQUENCE_FRAMES, MIN_FPS
from interp.models.registry import DEFAULT_MODEL, Kind, get_spec
from interp.project.schema import (
    FORMAT,
    ObjectSpec,
    ProjectError,
    _curve,
    _number,
    _object,
    decode_json,
    field_error,
)

CLIP_VERSION = 2
#: Largest clip frame an object may be given on (far beyond any clip the bounds let in).
MAX_CLIP_FRAME = 10_000_000


@dataclass(frozen=True)
class ClipObject:
    """One object of a clip project: ``spec`` (name, curve and how it is given on clip frame ``frame``) or a folder
    ``masks`` of one mask per clip frame."""

    spec: ObjectSpec
    frame: int = 0
    masks: str | None = None


@dataclass(frozen=True)
class ClipProject:
    """A parsed, validated clip project (see the module docstring). ``None`` sizes come from the clip."""

    video: str
    num_frames: int | None = None
    fps: float | None = None
    model: str = DEFAULT_MODEL
    background: Curve = field(default_factory=lambda: Curve.preset("linear"))
    objects: tuple[ClipObject, ...] = ()
    iters: int = 2
    base_dir: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def path(self, reference: str, where: str) -> Path:
        """A file or folder the project names, resolved against its folder (``ProjectError`` when it has none)."""
        if self.base_dir is None:
            raise field_error(where, "a clip project must come as a file: its clip and masks are read from disk")
        path = Path(reference)
        return path if path.is_absolute() else self.base_dir / path


_KNOWN = {"format", "version", "video", "num_frames", "fps", "model", "background", "objects", "iters"}


def _clip_object(data: Any, index: int) -> ClipObject:
    where = f"objects[{index}]"
    if not isinstance(data, dict):
        raise field_error(where, f"must be an object, got {data!r}")
    frame = data.get("frame", 0)
    if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame <= MAX_CLIP_FRAME:
        raise field_error(f"{where}.frame", f"must be a clip frame number (0-based), got {frame!r}")
    masks = data.get("masks")
    if masks is None:
        return ClipObject(_object(data, index), frame)
    if not isinstance(masks, str) or not masks:
        raise field_error(f"{where}.masks", f"must be a folder of masks, got {masks!r}")
    given = {key: data[key] for key in ("name", "curve") if key in data}
    spec = _object({**given, "mask": masks}, index)  # name and curve checked as for any object
    return ClipObject(ObjectSpec(spec.name, spec.curve), frame, masks)


def is_clip_document(data: Any) -> bool:
    """Whether a decoded project is a clip project (version 2)."""
    return isinstance(data, dict) and data.get("version") == CLIP_VERSION


def parse_clip_project(data: Any, base_dir: Path | None = None) -> ClipProject:
    """Validate a decoded clip project; ``ProjectError`` names the first bad field."""
    if not isinstance(data, dict):
        raise ProjectError("a project must be a JSON object")
    if data.get("format") != FORMAT:
        raise field_error("format", f"must be {FORMAT!r}, got {data.get('format')!r}")
    if data.get("version") != CLIP_VERSION:
        raise field_error("version", f"a clip project has version {CLIP_VERSION}, got {data.get('version')!r}")
    video = data.get("video")
    if not isinstance(video, str) or not video:
        raise field_error("video", f"must be a video file or a folder of frames, got {video!r}")
    background = data.get("background", {"curve": [[0, 0], [1, 1]]})
    if not isinstance(background, dict) or "curve" not in background:
        raise field_error("background", 'must be {"curve": [[u, s], …]}')
    objects = data.get("objects", [])
    if not isinstance(objects, list) or len(objects) > MAX_PROJECT_OBJECTS:
        raise field_error("objects", f"must be a list of at most {MAX_PROJECT_OBJECTS} objects")
    model = data.get("model", DEFAULT_MODEL)
    if not isinstance(model, str):
        raise field_error("model", f"must be a string, got {model!r}")
    try:
        model = get_spec(model, Kind.INTERPOLATOR).name
    except InputError as exc:
        raise field_error("model", str(exc)) from None
    num_frames = None if data.get("num_frames") is None else _number(data, "num_frames", int, 0, 2, MAX_SEQUENCE_FRAMES)
    fps = None if data.get("fps") is None else _number(data, "fps", float, 0.0, MIN_FPS, MAX_FPS)
    return ClipProject(
        video=video,
        num_frames=num_frames,
        fps=fps,
        model=model,
        background=_curve(background["curve"], "background.curve"),
        objects=tuple(_clip_object(item, i) for i, item in enumerate(objects)),
        iters=_number(data, "iters", int, 2, 1, MAX_ITERS),
        base_dir=base_dir,
        extra={k: v for k, v in data.items() if k not in _KNOWN},
    )


def load_clip_project(path: Path | str) -> ClipProject:
    """Read and validate a clip project file (paths in it resolve against its folder)."""
    path = Path(path)
    return parse_clip_project(read_document(path), path.parent.resolve())


def read_document(path: Path) -> Any:
    """A project file's decoded JSON (``ProjectError`` for a missing file or one that is not JSON)."""
    if not path.is_file():
        raise ProjectError(f"no such project file: {path}")
    return decode_json(path.read_bytes(), str(path))


def output_fps(project: ClipProject, clip_fps: float | None) -> float:
    """The output's rate: the project's, else the clip's (24 for a folder of frames)."""
    if project.fps is not None:
        return project.fps
    rate = clip_fps if clip_fps and math.isfinite(clip_fps) else 24.0
    return min(max(rate, MIN_FPS), MAX_FPS)
