"""Keyframe edits of a distance curve, as the app's curve editor makes them: move, add, remove, or type them.

The rules: 2 to ``MAX_EDITOR_KEYFRAMES`` keyframes; the first stays at t = 0 and the last at t = 1 (their d moves);
a keyframe moves in t only between its neighbours (``MIN_GAP`` apart); every d is clamped to [0, 1]. The result is
always a valid ``interp.core.curves.Curve`` (which a project file stores as it is).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from interp.core.curves import Curve
from interp.errors import InputError

MIN_KEYFRAMES = 2
MAX_EDITOR_KEYFRAMES = 10
#: Keyframes stay at least this far apart in t.
MIN_GAP = 0.01


def _d(d: float) -> float:
    return float(np.clip(float(d), 0.0, 1.0))


def _check_index(curve: Curve, index: int) -> int:
    if not 0 <= index < len(curve.keyframes):
        raise InputError(f"no keyframe {index!r}: the curve has {len(curve.keyframes)}")
    return index


def move_keyframe(curve: Curve, index: int, t: float, d: float) -> Curve:
    """Keyframe ``index`` moved to ``(t, d)``, t kept between its neighbours and d in [0, 1] (the ends keep t)."""
    points = list(curve.keyframes)
    _check_index(curve, int(index))
    index = int(index)
    if index in (0, len(points) - 1):
        t = points[index][0]
    else:
        t = float(np.clip(float(t), points[index - 1][0] + MIN_GAP, points[index + 1][0] - MIN_GAP))
    points[index] = (round(t, 6), _d(d))
    return Curve(tuple(points))


def add_keyframe(curve: Curve, t: float, d: float) -> Curve:
    """A keyframe added at ``(t, d)``; refused at the limit, outside (0, 1) or closer than ``MIN_GAP`` to another."""
    points = list(curve.keyframes)
    if len(points) >= MAX_EDITOR_KEYFRAMES:
        raise InputError(f"a curve has at most {MAX_EDITOR_KEYFRAMES} keyframes here; remove one first")
    t = round(float(t), 6)
    if not MIN_GAP <= t <= 1 - MIN_GAP:
        raise InputError(f"a new keyframe needs t between {MIN_GAP:g} and {1 - MIN_GAP:g}, got {t!r}")
    if any(abs(t - known) < MIN_GAP for known, _ in points):
        raise InputError(f"there is a keyframe at t = {t:.2f} already: drag it instead")
    points.append((t, _d(d)))
    return Curve(tuple(sorted(points)))


def remove_keyframe(curve: Curve, index: int) -> Curve:
    """The curve without keyframe ``index`` (the ends at t = 0 and 1 stay, and so do at least two keyframes)."""
    points = list(curve.keyframes)
    _check_index(curve, int(index))
    if int(index) in (0, len(points) - 1):
        raise InputError("the keyframes at t = 0 and t = 1 stay (drag them up or down instead)")
    del points[int(index)]
    return Curve(tuple(points))


def apply_edit(curve: Curve, edit: Mapping[str, object]) -> Curve:
    """One edit from the curve editor: ``{"op": "move", "index", "t", "d"}``, ``{"op": "add", "t", "d"}`` or
    ``{"op": "remove", "index"}``."""
    op = edit.get("op")
    try:
        if op == "move":
            return move_keyframe(curve, int(edit["index"]), float(edit["t"]), float(edit["d"]))
        if op == "add":
            return add_keyframe(curve, float(edit["t"]), float(edit["d"]))
        if op == "remove":
            return remove_keyframe(curve, int(edit["index"]))
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # missing, not numbers, too large for a float
        raise InputError(f"a curve edit {op!r} needs index, t and d as numbers, got {dict(edit)!r}") from exc
    raise InputError(f"unknown curve edit {op!r}; known: move, add, remove")


def format_pairs(curve: Curve) -> str:
    """``"0:0, 0.25:0.5, 1:1"``: the keyframes as the numeric entry shows them."""
    return ", ".join(f"{t:.4g}:{d:.4g}" for t, d in curve.keyframes)


def parse_pairs(text: str) -> Curve:
    """The curve typed as ``"t:d, t:d, …"`` (t from 0 to 1, increasing; d in [0, 1]; 2 to 10 keyframes)."""
    points = []
    for item in text.replace(";", ",").split(","):
        if not item.strip():
            continue
        parts = item.split(":")
        try:
            t, d = (float(part) for part in parts) if len(parts) == 2 else (None, None)
        except ValueError:
            t = d = None
        if t is None or d is None:
            raise InputError(f"write keyframes as t:d pairs separated by commas (0:0, 0.5:0.8, 1:1), got {item!r}")
        points.append((t, d))
    if not MIN_KEYFRAMES <= len(points) <= MAX_EDITOR_KEYFRAMES:
        raise InputError(f"a curve here has {MIN_KEYFRAMES} to {MAX_EDITOR_KEYFRAMES} keyframes, got {len(points)}")
    return Curve(tuple(points))
