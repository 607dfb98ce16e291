"""The playing preview: frame timing, progressive levels that share frames, and stopping when the edit changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from interp.app.animation import LEVELS, animation_steps, edit_signature, frame_durations
from interp.app.preview import ModelPool, PreviewCache
from interp.app.session import Session, set_curve, set_frames
from interp.core.curves import Curve
from interp.errors import InputError
from interp.testing.synthetic import make_scene


def test_frame_durations_make_one_pass_of_fixed_length() -> None:
    assert frame_durations(2) == [400, 400]
    assert frame_durations(3) == [400, 800, 400]
    assert frame_durations(17) == [400, *[100] * 15, 400]
    assert min(frame_durations(200)) == 20  # browsers play shorter GIF delays slower
    with pytest.raises(InputError, match="at least 2 frames"):
        frame_durations(1)


@pytest.fixture(scope="module")
def session() -> Session:
    scene = make_scene(5, 64, 96, num_objects=1, max_motion=6)
    s = Session()
    set_frames(s, scene.frame(0), scene.frame(1))
    return s


def test_levels_grow_and_reuse_the_still_previews_frames(session: Session, tmp_path: Path) -> None:
    cache = PreviewCache()
    for age, name in enumerate(("old", "newer", "newest")):  # earlier animations' files: the oldest removed first
        path = tmp_path / f"animation-{name}.gif"
        path.write_bytes(b"GIF89a")
        os.utime(path, ns=(age * 10**9, age * 10**9))
    steps = list(animation_steps(session, cache, ModelPool(), "rife-v4", None, tmp_path))
    assert [count for _path, count in steps] == list(LEVELS)
    for path, count in steps:
        with Image.open(path) as gif:
            assert gif.n_frames == count
            assert gif.size == (96, 64)
    assert len({path for path, _count in steps}) == len(LEVELS)  # a new name each time: the page reloads it
    assert not (tmp_path / "animation-old.gif").exists()
    assert (tmp_path / "animation-newest.gif").exists()  # the page may still be loading the last ones shown
    assert len(cache.frames) == LEVELS[-1]  # 17 distinct times rendered once each, kept for the still preview


def test_an_edit_stops_the_animation(session: Session, tmp_path: Path) -> None:
    shown = edit_signature(session, "rife-v4", None)
    steps = animation_steps(
        session,
        PreviewCache(),
        ModelPool(),
        "rife-v4",
        None,
        tmp_path,
        stale=lambda: edit_signature(session, "rife-v4", None) != shown,
    )
    first = next(steps)
    assert first[1] == LEVELS[0]
    set_curve(session, None, Curve.preset("hold"))
    assert list(steps) == []
    assert edit_signature(session, "rife-v4", None) != shown
