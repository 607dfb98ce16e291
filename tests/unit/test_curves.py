"""Distance curves: presets, monotone interpolation without overshoot, validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from interp.core.curves import KNOTS, PRESETS, Curve, output_times
from interp.errors import InputError


def test_every_preset_has_a_value_per_knot_and_passes_through_them() -> None:
    for name, values in PRESETS.items():
        curve = Curve.preset(name)
        assert len(values) == len(KNOTS)
        assert curve.at_knots() == pytest.approx(list(values))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("linear", lambda t: t),
        ("hold", lambda t: 0 * t),
        ("jump to end", lambda t: 0 * t + 1),
        ("reverse", lambda t: 1 - t),
    ],
)
def test_exact_presets(name: str, expected) -> None:
    t = np.linspace(0, 1, 41)
    assert Curve.preset(name)(t) == pytest.approx(expected(t), abs=1e-12)


def test_arrive_early_and_start_late_and_there_and_back() -> None:
    t = np.linspace(0, 1, 101)
    early, late, back = (
        Curve.preset("arrive early")(t),
        Curve.preset("start late")(t),
        Curve.preset("there-and-back")(t),
    )
    assert early[t >= 0.5] == pytest.approx(1.0)
    assert late[t <= 0.5] == pytest.approx(0.0)
    assert back[0] == back[-1] == 0.0
    assert back.max() == pytest.approx(1.0)
    assert np.all(np.diff(early) >= -1e-12)


def test_matches_scipy_pchip_and_never_overshoots() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        knots = np.concatenate(
            [[0.0], np.sort(rng.choice(np.arange(1, 20), rng.integers(1, 6), replace=False)) / 20, [1.0]]
        )
        values = rng.random(len(knots))
        curve = Curve(tuple(zip(knots.tolist(), values.tolist(), strict=True)))
        t = np.linspace(0, 1, 501)
        assert curve(t) == pytest.approx(PchipInterpolator(knots, values)(t), abs=1e-9)
        for a, b, da, db in zip(knots[:-1], knots[1:], values[:-1], values[1:], strict=True):
            segment = curve(t[(t >= a) & (t <= b)])
            assert segment.min() >= min(da, db) - 1e-12
            assert segment.max() <= max(da, db) + 1e-12


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([[0, 0]], "at least 2"),
        ([[0, 0], [0.5, 1.5], [1, 1]], r"d must be in \[0, 1\]"),
        ([[0, 0], [0.6, 0.5], [0.4, 0.5], [1, 1]], "increase strictly"),
        ([[0, 0], [0.5, 0.5], [0.5, 0.7], [1, 1]], "increase strictly"),
        ([[0.1, 0], [1, 1]], "start at t = 0"),
        ([[0, 0], [0.9, 1]], "end at t = 1"),
        ([[0, float("nan")], [1, 1]], "finite"),
        ([[0, 0, 0], [1, 1]], r"must be \[t, d\]"),
    ],
)
def test_validation(points, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Curve.from_points(points)


def test_unknown_preset_and_output_times() -> None:
    with pytest.raises(InputError, match="unknown curve preset"):
        Curve.preset("bounce")
    assert output_times(5).tolist() == [0, 0.25, 0.5, 0.75, 1]
    with pytest.raises(InputError, match="at least 2 frames"):
        output_times(1)


def test_round_trip_points() -> None:
    curve = Curve.from_points([[0, 0.2], [0.3, 0.9], [1, 0.1]])
    assert Curve.from_points(curve.to_points()) == curve


def test_a_curve_knows_which_preset_it_is() -> None:
    for name in PRESETS:
        assert Curve.preset(name).preset_name() == name
    assert Curve.from_points([[0, 0], [0.25, 0.3], [0.5, 0.5], [0.75, 0.75], [1, 1]]).preset_name() is None
    assert Curve.from_points([[0, 0], [1, 1]]).preset_name() is None  # linear in shape, but not the preset's knots


def test_most_visible_time_is_where_the_curves_leave_linear_most() -> None:
    from interp.core.curves import most_visible_time

    linear = Curve.preset("linear")
    assert most_visible_time([]) == 0.5
    assert most_visible_time([linear, linear]) == 0.5  # nothing to see: the middle
    # reverse differs from linear by |1 - 2t|: most at the ends of [0.1, 0.9], never at 0.5 where they agree
    assert most_visible_time([Curve.preset("reverse"), linear]) == pytest.approx(0.1)
    assert most_visible_time([Curve.preset("hold")]) == pytest.approx(0.9)
    assert most_visible_time([Curve.preset("jump to end")]) == pytest.approx(0.1)
    early = Curve.preset("arrive early")
    t = most_visible_time([early, linear])
    grid = np.linspace(0.1, 0.9, 81)
    assert float(early(t)) - t == pytest.approx(np.max(early(grid) - grid), abs=1e-9)
    assert most_visible_time([Curve.preset("hold")], low=0.2, high=0.6) == pytest.approx(0.6)
    with pytest.raises(InputError, match="low <= high"):
        most_visible_time([linear], low=0.9, high=0.1)
