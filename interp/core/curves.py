"""Distance curves: how far along its own path (d in [0, 1]) a thing is at each output time t in [0, 1].

A curve is a list of keyframes ``(t, d)`` with ``t`` strictly increasing from 0 to 1 and ``d`` in [0, 1]. It is
evaluated with monotone piecewise-cubic Hermite interpolation (PCHIP, Fritsch-Carlson): it passes through every
keyframe, is monotone between keyframes and never overshoots their range (the reference webapp's cubic spline does).

Presets are defined on the five slider times ``KNOTS`` so that every preset can be edited knot by knot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interp.errors import InputError

#: The keyframe times the app shows as sliders; every preset has a keyframe at each.
KNOTS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Keyframes per curve are bounded to keep projects sane.
MAX_KEYFRAMES = 64


@dataclass(frozen=True)
class Curve:
    """Validated keyframes ``((t0, d0), (t1, d1), …)`` with ``t0 = 0``, ``t_last = 1``, ``t`` strictly increasing."""

    keyframes: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        check_keyframes(self.keyframes)

    @classmethod
    def from_points(cls, points: Sequence[Sequence[float]]) -> Curve:
        """Build from any ``[[t, d], …]`` sequence (e.g. parsed JSON); raises ``InputError`` on bad keyframes."""
        pairs = []
        for index, point in enumerate(points):
            if len(point) != 2:
                raise InputError(f"keyframe {index} must be [t, d], got {point!r}")
            pairs.append((float(point[0]), float(point[1])))
        return cls(tuple(pairs))

    @classmethod
    def preset(cls, name: str) -> Curve:
        """A named preset (see ``PRESETS``)."""
        if name not in PRESETS:
            raise InputError(f"unknown curve preset {name!r}; known: {', '.join(PRESETS)}")
        return cls(tuple(zip(KNOTS, PRESETS[name], strict=True)))

    def __call__(self, t: float | np.ndarray) -> np.ndarray:
        """Distances at times ``t`` (scalar or array, clipped to [0, 1]) -> array of the same shape in [0, 1]."""
        return evaluate(self.keyframes, t)

    def to_points(self) -> list[list[float]]:
        """``[[t, d], …]`` for JSON."""
        return [[t, d] for t, d in self.keyframes]

    def at_knots(self) -> list[float]:
        """The curve's values at ``KNOTS`` (what the app's sliders show)."""
        return [float(v) for v in self(np.asarray(KNOTS))]

    def preset_name(self) -> str | None:
        """The name of the preset this curve is (same keyframes within 1e-6), or None for a custom curve."""
        if len(self.keyframes) != len(KNOTS):
            return None
        times = np.array([t for t, _ in self.keyframes])
        values = np.array([d for _, d in self.keyframes])
        if not np.allclose(times, KNOTS, atol=1e-6):
            return None
        for name, preset in PRESETS.items():
            if np.allclose(values, preset, atol=1e-6):
                return name
        return None


def check_keyframes(keyframes: Sequence[tuple[float, float]]) -> None:
    """Raise ``InputError`` naming the first problem: count, finiteness, range, order, endpoints."""
    if len(keyframes) < 2:
        raise InputError(f"a curve needs at least 2 keyframes, got {len(keyframes)}")
    if len(keyframes) > MAX_KEYFRAMES:
        raise InputError(f"a curve has at most {MAX_KEYFRAMES} keyframes, got {len(keyframes)}")
    for index, (t, d) in enumerate(keyframes):
        if not (math.isfinite(t) and math.isfinite(d)):
            raise InputError(f"keyframe {index} must be finite numbers, got {(t, d)!r}")
        if not 0.0 <= d <= 1.0:
            raise InputError(f"keyframe {index}: d must be in [0, 1], got {d!r}")
        if not 0.0 <= t <= 1.0:
            raise InputError(f"keyframe {index}: t must be in [0, 1], got {t!r}")
        if index and t <= keyframes[index - 1][0]:
            raise InputError(f"keyframe {index}: t must increase strictly, got {t!r} after {keyframes[index - 1][0]!r}")
    if keyframes[0][0] != 0.0 or keyframes[-1][0] != 1.0:
        raise InputError(
            f"keyframes must start at t = 0 and end at t = 1, got {keyframes[0][0]!r} … {keyframes[-1][0]!r}"
        )


def _pchip_slopes(t: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Fritsch-Carlson slopes: zero at local extrema and flat segments, weighted harmonic means elsewhere."""
    h = np.diff(t)
    delta = np.diff(d) / h
    slopes = np.zeros_like(d)
    if len(t) == 2:
        return np.full_like(d, delta[0])
    for k in range(1, len(t) - 1):
        if delta[k - 1] * delta[k] > 0:
            w1, w2 = 2 * h[k] + h[k - 1], h[k] + 2 * h[k - 1]
            slopes[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])
    slopes[0] = _end_slope(h[0], h[1], delta[0], delta[1])
    slopes[-1] = _end_slope(h[-1], h[-2], delta[-1], delta[-2])
    return slopes


def _end_slope(h0: float, h1: float, delta0: float, delta1: float) -> float:
    """One-sided three-point end slope, limited to keep the end segment monotone (as SciPy's PCHIP)."""
    slope = ((2 * h0 + h1) * delta0 - h0 * delta1) / (h0 + h1)
    if np.sign(slope) != np.sign(delta0):
        return 0.0
    if np.sign(delta0) != np.sign(delta1) and abs(slope) > abs(3 * delta0):
        return 3 * delta0
    return slope


def evaluate(keyframes: Sequence[tuple[float, float]], t: float | np.ndarray) -> np.ndarray:
    """Monotone cubic interpolation of ``keyframes`` at ``t`` (clipped to [0, 1]); result clipped to [0, 1]."""
    knots = np.asarray([k[0] for k in keyframes], dtype=np.float64)
    values = np.asarray([k[1] for k in keyframes], dtype=np.float64)
    x = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    slopes = _pchip_slopes(knots, values)
    index = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 2)
    h = knots[index + 1] - knots[index]
    s = (x - knots[index]) / h
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    y = h00 * values[index] + h10 * h * slopes[index] + h01 * values[index + 1] + h11 * h * slopes[index + 1]
    return np.clip(y, 0.0, 1.0)


def output_times(num_frames: int) -> np.ndarray:
    """Times ``t_k = k / (num_frames - 1)`` of an output sequence (``num_frames >= 2``)."""
    if num_frames < 2:
        raise InputError(f"an output sequence needs at least 2 frames, got {num_frames!r}")
    return np.linspace(0.0, 1.0, num_frames)


def _ease_in(t: float) -> float:
    return t * t


def _ease_out(t: float) -> float:
    return 1 - (1 - t) ** 2


def _ease_in_out(t: float) -> float:
    return t * t * (3 - 2 * t)


#: Preset values at ``KNOTS``.
PRESETS: dict[str, tuple[float, ...]] = {
    "linear": tuple(KNOTS),
    "hold": (0.0, 0.0, 0.0, 0.0, 0.0),
    "jump to end": (1.0, 1.0, 1.0, 1.0, 1.0),
    "ease in": tuple(_ease_in(t) for t in KNOTS),
    "ease out": tuple(_ease_out(t) for t in KNOTS),
    "ease in-out": tuple(_ease_in_out(t) for t in KNOTS),
    "reverse": (1.0, 0.75, 0.5, 0.25, 0.0),
    "arrive early": (0.0, 0.5, 1.0, 1.0, 1.0),
    "start late": (0.0, 0.0, 0.0, 0.5, 1.0),
    "there-and-back": (0.0, 0.5, 1.0, 0.5, 0.0),
}


def most_visible_time(curves: Sequence[Curve], low: float = 0.1, high: float = 0.9, step: float = 0.01) -> float:
    """The output time in ``[low, high]`` where the curves differ most from ordinary interpolation (``d = t``).

    What a still preview should show so that an edit can be seen: the largest ``|curve(t) - t|`` over all curves
    (objects and background alike), on a grid of ``step``; among equal differences the time nearest 0.5, then the
    earliest. With no difference anywhere (every curve linear) it is 0.5. The ends are left out: frames 0 and 1 look
    like the inputs.
    """
    if not 0.0 <= low <= high <= 1.0:
        raise InputError(f"need 0 <= low <= high <= 1, got {low!r}, {high!r}")
    times = np.round(np.arange(low, high + step / 2, step), 6)
    if not curves:
        return 0.5
    difference = np.max([np.abs(curve(times) - times) for curve in curves], axis=0)
    if difference.max() < 1e-3:
        return 0.5
    candidates = times[difference >= difference.max() - 1e-9]
    return float(candidates[np.argmin(np.abs(candidates - 0.5))])
