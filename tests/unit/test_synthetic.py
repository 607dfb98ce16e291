"""The synthetic scene generator: deterministic, exact at any distance, masks that match the pixels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import binary_erosion

from interp.testing.synthetic import make_scene


def test_deterministic_from_seed() -> None:
    assert np.array_equal(make_scene(3, 64, 96).frame(0.4), make_scene(3, 64, 96).frame(0.4))
    assert not np.array_equal(make_scene(3, 64, 96).frame(0), make_scene(4, 64, 96).frame(0))


def test_pure_translation_of_one_object_at_any_distance() -> None:
    """Moving only object 0 by d shifts its pixels by d * motion (exact up to rounding and resampling)."""
    scene = make_scene(1, 96, 128, num_objects=1, max_motion=20, background_motion=(0.0, 0.0))
    obj = scene.objects[0]
    d = 0.5
    dx, dy = obj.motion[0] * d, obj.motion[1] * d
    moved = scene.render([d], background=0.0)
    inside = scene.silhouette(0, d) & np.roll(scene.silhouette(0, 0.0), (round(dy), round(dx)), axis=(0, 1))
    ys, xs = np.nonzero(inside)
    source = scene.objects[0].colours(xs - dx, ys - dy, 0.0)
    assert np.abs(moved[ys, xs].astype(float) - source).mean() < 2.0


def test_background_and_objects_follow_their_own_distances() -> None:
    scene = make_scene(2, 80, 120)
    base = scene.render([0, 0, 0], background=0)
    only_bg = scene.render([0, 0, 0], background=1)
    changed = np.any(base != only_bg, axis=2)
    union = np.zeros_like(changed)
    for mask in scene.visible_masks():
        union |= mask
    assert changed[~union].mean() > 0.5  # the background moved
    interior = binary_erosion(scene.visible_masks()[2], iterations=2)  # edges blend with the background
    assert not changed[interior].any()  # the top object stayed


def test_visible_masks_respect_z_order() -> None:
    scene = make_scene(0)
    masks = scene.visible_masks()
    for i in range(len(masks)):
        for j in range(i + 1, len(masks)):
            assert not (masks[i] & masks[j]).any()
    assert masks[-1].sum() == scene.silhouette(len(masks) - 1, 0.0).sum()


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="need 3 distances"):
        make_scene(0).render([0.5])
    with pytest.raises(ValueError, match="at least 32"):
        make_scene(0, 8, 8)
