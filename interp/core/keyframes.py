"""Keyframe edits of a distance curve, as the app's curve editor makes them: move, add, remove, or type them.

The rules: 2 to ``MAX_EDITOR_KEYFRAMES`` keyframes; the first stays at t = 0 and the last at t = 1 (their d moves);
a keyframe moves in t only between its neighbours (``MIN_GAP`` apart, so two handles never sit on each other and
the curve never turns into a cliff); every d is clamped to [0, 1]. Dragged and added keyframes land on a grid of
``STEP`` in t and d (what the plot can show anyway), so the typed keyframes read as the curve is. The result is always
a valid ``interp.core.curves.Curve`` (which a project file stores as it is).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from interp.core.curves import Curve
from interp.errors import InputError

MIN_KEYFRAMES = 2
MAX_EDITOR_KEYFRAMES = 10
#: Keyframes dragged or added in the editor stay at least this far apart in t (a handle is about 0.02 wide).
MIN_GAP = 0.05
#: Dragged and added keyframes are rounded to this step in t and d.
STEP = 0.01
#: Decimals of a keyframe as ``format_pairs`` shows it.
SHOWN_DECIMALS = 3


def _d(d: float) -> float:
    return float(np.clip(float(d), 0.0, 1.0))


def _on_grid(value: float) -> float:
    """``value`` rounded to the editor's ``STEP``."""
    return round(round(float(value) / STEP) * STEP, 6)


def _check_index(curve: Curve, index: int) -> int:
    if not 0 <= index < len(curve.keyframes):
        raise InputError(f"no keyframe {index!r}: the curve has {len(curve.keyframes)}")
    return index


def move_keyframe(curve: Curve, index: int, t: float, d: float) -> Curve:
    """Keyframe ``index`` moved to ``(t, d)`` on the ``STEP`` grid: t kept ``MIN_GAP`` away from its neighbours (a
    keyframe already closer than that, as typed, keeps its t), d in [0, 1]; the ends keep their t."""
    points = list(curve.keyframes)
    _check_index(curve, int(index))
    index = int(index)
    t_now = points[index][0]
    if index not in (0, len(points) - 1):
        low, high = points[index - 1][0] + MIN_GAP, points[index + 1][0] - MIN_GAP
        t_now = t_now if low > high else round(float(np.clip(_on_grid(t), low, high)), 6)
    points[index] = (t_now, _d(_on_grid(d)))
    return Curve(tuple(points))


def add_keyframe(curve: Curve, t: float, d: float) -> Curve:
    """A keyframe added at ``(t, d)``; refused at the limit, outside (0, 1) or closer than ``MIN_GAP`` to another."""
    points = list(curve.keyframes)
    if len(points) >= MAX_EDITOR_KEYFRAMES:
        raise InputError(f"a curve has at most {MAX_EDITOR_KEYFRAMES} keyframes here; remove one first")
    t = _on_grid(t)
    if not MIN_GAP <= t <= 1 - MIN_GAP:
        raise InputError(f"a new keyframe needs t between {MIN_GAP:g} and {1 - MIN_GAP:g}, got {t!r}")
    if any(abs(t - known) < MIN_GAP for known, _ in points):
        raise InputError(f"there is a keyframe within {MIN_GAP:g} of t = {t:.2f} already: drag it instead")
    points.append((t, _d(_on_grid(d))))
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
    except InputError:  # a ValueError too: the edit's own refusal, kept as it is
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # missing, not numbers, too large for a float
        needs = {"move": "index, t and d", "add": "t and d", "remove": "index"}.get(str(op), "index, t and d")
        raise InputError(f"a curve edit {op!r} needs {needs} as numbers, got {dict(edit)!r}") from exc
    raise InputError(f"unknown curve edit {op!r}; known: move, add, remove")


def format_pairs(curve: Curve) -> str:
    """``"0:0, 0.25:0.5, 1:1"``: the keyframes as the numeric entry shows them, rounded to ``SHOWN_DECIMALS``."""
    return ", ".join(f"{_shown(t)}:{_shown(d)}" for t, d in curve.keyframes)


def _shown(value: float) -> str:
    """``value`` rounded to ``SHOWN_DECIMALS``, without trailing zeros (``0.04998`` -> ``"0.05"``)."""
    return f"{round(float(value), SHOWN_DECIMALS):g}"


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
