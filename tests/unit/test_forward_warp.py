"""Forward warping, flow conversion and layered splatting with exact flows on synthetic scenes."""

from __future__ import annotations

import numpy as np
import pytest

from interp.core.distance_maps import label_map
from interp.core.forward_warp import endpoint_flows, splat, splat_mask
from interp.core.layered import frame1_labels, render_layers
from interp.research.metrics import psnr
from interp.testing.position_error import placement_errors
from interp.testing.synthetic import make_scene


def test_integer_flow_moves_pixels_exactly_and_keeps_weight() -> None:
    rng = np.random.default_rng(0)
    values = rng.random((2, 8, 9))
    flow = np.zeros((2, 8, 9))
    flow[0], flow[1] = 2, 1
    sums, weight = splat(values, flow)
    assert np.allclose(sums[:, 1:, 2:], values[:, :-1, :-2])
    assert np.allclose(weight[1:, 2:], 1)
    assert weight[0].sum() == 0


def test_fractional_flow_spreads_bilinearly() -> None:
    values = np.zeros((1, 4, 4))
    values[0, 1, 1] = 1.0
    flow = np.full((2, 4, 4), 0.5)
    weights = np.zeros((4, 4))
    weights[1, 1] = 1
    sums, weight = splat(values, flow, weights)
    assert sums[0, 1:3, 1:3] == pytest.approx(np.full((2, 2), 0.25))
    assert weight.sum() == pytest.approx(1.0)


def test_splat_mask_and_endpoint_flows_of_a_uniform_motion() -> None:
    mask = np.zeros((10, 10), bool)
    mask[2:4, 2:4] = True
    flow = np.zeros((2, 10, 10))
    flow[0] = 3
    assert np.array_equal(splat_mask(mask, flow), np.roll(mask, 3, axis=1))
    mid = np.zeros((4, 10, 10))
    mid[0], mid[2] = -2.0, 2.0  # half-way: 2 px back to frame 0, 2 px on to frame 1
    f01, f10 = endpoint_flows(mid)
    assert np.allclose(f01[0], 4.0)
    assert np.allclose(f10[0], -4.0)
    assert np.allclose(f01[1], 0)


def _exact_flows(scene) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The true flows of a synthetic scene: objects translate rigidly over a sliding background."""
    masks0 = scene.visible_masks()
    masks1 = scene.visible_masks(background=1.0)
    f01 = np.zeros((2, scene.height, scene.width))
    f10 = np.zeros_like(f01)
    f01[0], f01[1] = scene.background_motion
    f10[0], f10[1] = -scene.background_motion[0], -scene.background_motion[1]
    for obj, m0, m1 in zip(scene.objects, masks0, masks1, strict=True):
        f01[0][m0], f01[1][m0] = obj.motion
        f10[0][m1], f10[1][m1] = -obj.motion[0], -obj.motion[1]
    return f01, f10, masks0


def test_layered_splatting_with_true_flows_reproduces_manipulated_frames() -> None:
    scene = make_scene(5, 128, 192, num_objects=2, max_motion=16)
    f01, f10, masks0 = _exact_flows(scene)
    img0, img1 = scene.frame(0) / 255.0, scene.frame(1) / 255.0
    labels0, labels1 = label_map(masks0), frame1_labels(masks0, f01)
    for objects, background in (([1.0, 0.0], 0.5), ([0.0, 1.0], 0.0), ([0.3, 0.8], 1.0)):
        exact = scene.render(objects, background)
        out = render_layers(img0, img1, labels0, labels1, f01, f10, objects, background)
        errors = [e for e in placement_errors(out * 255, exact, scene.visible_masks(objects, background)) if e]
        assert psnr(out, exact / 255.0) > 26
        assert max(errors) < 0.5


def test_a_held_object_leaves_no_halo_when_the_flow_is_imperfect() -> None:
    """At d = 0 an object is where frame 0 shows it: frame 1's view of it, carried back by a flow that misses by
    2.5 px, may not spill onto the background frame 0 shows around it (it used to, as a halo)."""
    scene = make_scene(5, 128, 192, num_objects=1, max_motion=16)
    f01, f10, masks0 = _exact_flows(scene)
    f10 = f10 + 2.5
    img0, img1 = scene.frame(0) / 255.0, scene.frame(1) / 255.0
    labels0, labels1 = label_map(masks0), frame1_labels(masks0, f01)
    out = render_layers(img0, img1, labels0, labels1, f01, f10, [0.0], 0.0)
    held = masks0[0]
    ring = splat_mask(held, np.full((2, *held.shape), 2.0)) & ~held  # where a 2.5 px miss would spill
    assert ring.sum() > 50
    error = np.abs(out - img0).max(axis=2)  # frame 1 still weighs 1e-3 where frame 0 shows the pixel
    assert error[held].max() < 0.01
    assert error[ring].max() < 0.01
