"""The curve editor's rules: move between neighbours, add and remove within 2-10 keyframes, typed t:d pairs."""

from __future__ import annotations

import pytest

from interp.core.curves import Curve
from interp.core.keyframes import (
    MAX_EDITOR_KEYFRAMES,
    MIN_GAP,
    add_keyframe,
    apply_edit,
    format_pairs,
    move_keyframe,
    parse_pairs,
    remove_keyframe,
)
from interp.errors import InputError

LINEAR = Curve.preset("linear")  # keyframes at t = 0, 0.25, 0.5, 0.75, 1


def test_move_keeps_t_between_neighbours_and_d_in_range() -> None:
    assert move_keyframe(LINEAR, 2, 0.4, 0.9).keyframes[2] == (0.4, 0.9)
    assert move_keyframe(LINEAR, 2, 0.99, -3).keyframes[2] == (0.75 - MIN_GAP, 0.0)
    assert move_keyframe(LINEAR, 2, 0.0, 7).keyframes[2] == (0.25 + MIN_GAP, 1.0)
    assert move_keyframe(LINEAR, 0, 0.6, 0.5).keyframes[0] == (0.0, 0.5)  # the ends keep their t
    assert move_keyframe(LINEAR, 4, 0.2, 0.3).keyframes[4] == (1.0, 0.3)
    with pytest.raises(InputError, match="no keyframe 5"):
        move_keyframe(LINEAR, 5, 0.5, 0.5)


def test_add_and_remove_within_limits() -> None:
    added = add_keyframe(LINEAR, 0.6, 1.4)
    assert added.keyframes[3] == (0.6, 1.0)
    assert remove_keyframe(added, 3) == LINEAR
    with pytest.raises(InputError, match="already"):
        add_keyframe(LINEAR, 0.505, 0.2)
    with pytest.raises(InputError, match="between"):
        add_keyframe(LINEAR, 1.0, 0.2)
    with pytest.raises(InputError, match="t = 0 and t = 1 stay"):
        remove_keyframe(LINEAR, 0)
    curve = Curve(((0.0, 0.0), (1.0, 1.0)))
    for k in range(MAX_EDITOR_KEYFRAMES - 2):
        curve = add_keyframe(curve, 0.05 + 0.1 * k, 0.5)
    assert len(curve.keyframes) == MAX_EDITOR_KEYFRAMES
    with pytest.raises(InputError, match="at most 10"):
        add_keyframe(curve, 0.98, 0.5)


def test_edits_from_the_editor_and_typed_pairs() -> None:
    assert apply_edit(LINEAR, {"op": "add", "t": 0.6, "d": 0.1}) == add_keyframe(LINEAR, 0.6, 0.1)
    assert apply_edit(LINEAR, {"op": "move", "index": 1, "t": 0.3, "d": 0}) == move_keyframe(LINEAR, 1, 0.3, 0)
    assert apply_edit(LINEAR, {"op": "remove", "index": 1}) == remove_keyframe(LINEAR, 1)
    with pytest.raises(InputError, match="unknown curve edit"):
        apply_edit(LINEAR, {"op": "smooth"})
    with pytest.raises(InputError, match="needs index"):
        apply_edit(LINEAR, {"op": "move", "t": 0.5})
    assert format_pairs(LINEAR) == "0:0, 0.25:0.25, 0.5:0.5, 0.75:0.75, 1:1"
    assert parse_pairs(format_pairs(LINEAR)) == LINEAR
    assert parse_pairs("0:1; 1:0") == Curve.preset("reverse").__class__(((0.0, 1.0), (1.0, 0.0)))
    for bad, message in (
        ("0:0, 1", "t:d pairs"),
        ("0:x, 1:1", "t:d pairs"),
        ("0:0", "2 to 10"),
        ("0:0, 0.5:2, 1:1", "d must"),
    ):
        with pytest.raises(InputError, match=message):
            parse_pairs(bad)


def test_a_keyframe_dragged_onto_its_neighbour_stops_a_gap_away_on_the_grid() -> None:
    # issue 23: a drag onto the keyframe at 0.5 stopped at 0.49, two handles on each other and a cliff between them
    pressed = move_keyframe(LINEAR, 1, 0.5, 0.04998)
    assert pressed.keyframes[1] == (0.45, 0.05)
    assert pressed.keyframes[2][0] - pressed.keyframes[1][0] >= MIN_GAP - 1e-9
    assert format_pairs(pressed) == "0:0, 0.45:0.05, 0.5:0.5, 0.75:0.75, 1:1"
    assert add_keyframe(LINEAR, 0.61234, 0.33333).keyframes[3] == (0.61, 0.33)
    # a typed keyframe already closer to its neighbour than the gap keeps its t when its d is dragged
    tight = parse_pairs("0:0, 0.5:0.2, 0.52:0.5, 0.54:0.9, 1:1")
    assert move_keyframe(tight, 2, 0.1, 0.3).keyframes[2] == (0.52, 0.3)


def test_typed_keyframes_are_shown_rounded() -> None:
    assert format_pairs(parse_pairs("0:0, 0.33333:0.04998, 1:1")) == "0:0, 0.333:0.05, 1:1"
