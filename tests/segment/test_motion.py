"""The fallback's motion cues (``sam_utils.fallback.motion``): pure functions checked on fields with known answers."""

from __future__ import annotations

import numpy as np

from sam_utils.fallback import motion


def _translation_field(height: int, width: int, dx: float, dy: float) -> np.ndarray:
    flow = np.zeros((height, width, 2), np.float32)
    flow[..., 0], flow[..., 1] = dx, dy
    return flow


def test_the_background_motion_of_a_panning_flow_is_that_pan_and_nothing_moves_against_it() -> None:
    flow = _translation_field(60, 80, 3.5, -2.0)
    flow[20:40, 30:50] = (9.0, 4.0)  # an object moving on its own, a sixth of the picture
    affine = motion.background_affine(flow)
    np.testing.assert_allclose(affine, [[1.0, 0.0, 3.5], [0.0, 1.0, -2.0]], atol=1e-3)
    relative = motion.relative_flow(flow, *motion.affine_maps(affine, 60, 80))
    np.testing.assert_allclose(relative[0, 0], (0.0, 0.0), atol=1e-3)
    np.testing.assert_allclose(relative[30, 40], (5.5, 6.0), atol=1e-3)


def test_background_affine_of_a_zoom() -> None:
    ys, xs = np.mgrid[0:64, 0:64].astype(np.float32)
    flow = np.stack([(xs - 32) * 0.1, (ys - 32) * 0.1], axis=-1)  # 10 % zoom about the centre
    affine = motion.background_affine(flow)
    np.testing.assert_allclose(affine, [[1.1, 0.0, -3.2], [0.0, 1.1, -3.2]], atol=1e-3)


def test_follows_is_one_on_the_motion_zero_on_the_background_and_a_half_between() -> None:
    relative = np.array([[[0.0, 0.0], [10.0, 0.0], [5.0, 0.0], [8.0, 3.0], [0.0, 0.0]]], np.float32)
    value = motion.follows(relative, np.array([10.0, 0.0]))
    assert value.shape == (1, 5)
    np.testing.assert_allclose(value[0, :3], [0.0, 1.0, 0.5], atol=1e-6)
    assert 0.5 < value[0, 3] < 1.0  # a part that deforms but still moves mostly with the object
    assert motion.follows(relative, np.zeros(2))[0, 4] == 0.0  # no motion at all: nothing to follow, no NaN
