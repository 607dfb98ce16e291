"""The distance-index math, its naming, and its accuracy on synthetic septuplets with exact answers."""

from __future__ import annotations

import numpy as np
import pytest

from interp.errors import InputError
from interp.research.distance_index import (
    INDEX_DTYPE,
    distance_index,
    downsample_map,
    index_name,
    ordered_triples,
    parse_index_name,
    time_ratio,
    to_storage,
)
from interp.research.flow import DisFlow, compose_flows, upsample_flow
from interp.research.groundtruth import exact_flow, make_septuplet, measure_index_error, true_index


def _translations(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.uniform(-20, 20, (*shape, 2))


def test_pure_translation_gives_the_exact_ratio() -> None:
    rng = np.random.default_rng(0)
    velocity = _translations(rng, (4, 5))
    along = rng.uniform(0.05, 0.95, (4, 5, 1))  # each pixel its own distance along its own path
    index = distance_index(along * velocity, velocity, prior=0.5, motion_prior=0.0)
    np.testing.assert_allclose(index, along[..., 0], rtol=1e-6)
    assert index.dtype == np.float32


def test_constant_velocity_is_the_time_ratio_and_reversal_is_one_minus_it() -> None:
    velocity = np.full((3, 3, 2), (4.0, -3.0))  # 1 frame step = (4, -3) px
    forward = distance_index(2 * velocity, 6 * velocity, time_ratio(0, 2, 6))  # frames 0 -> 2 and 0 -> 6
    backward = distance_index(-4 * velocity, -6 * velocity, time_ratio(6, 2, 0))  # frames 6 -> 2 and 6 -> 0
    np.testing.assert_allclose(forward, 1 / 3, rtol=1e-6)
    np.testing.assert_allclose(backward, 1 - forward, rtol=1e-6)
    assert time_ratio(6, 2, 0) == pytest.approx(1 - time_ratio(0, 2, 6))


def test_degenerate_motion_falls_back_to_the_time_ratio() -> None:
    still = np.zeros((2, 3, 2))
    plain = distance_index(still, still, prior=0.25, motion_prior=0.0)
    np.testing.assert_array_equal(plain, 0.25)  # the reference would write nan here
    # With the prior, a short path leans to the time ratio, a long one keeps its own ratio.
    short = distance_index(np.full((1, 1, 2), (0.1, 0.0)), np.full((1, 1, 2), (0.1, 0.0)), prior=0.25)
    long = distance_index(np.full((1, 1, 2), (30.0, 0.0)), np.full((1, 1, 2), (30.0, 0.0)), prior=0.25)
    assert 0.25 < short[0, 0] < 0.35
    assert long[0, 0] == pytest.approx(1.0, abs=1e-3)
    m2, b2 = 0.25, 0.01
    assert short[0, 0] == pytest.approx((b2 + m2 * 0.25) / (b2 + m2), rel=1e-6)


def test_bad_inputs_raise() -> None:
    with pytest.raises(InputError, match="H x W x 2"):
        distance_index(np.zeros((2, 2)), np.zeros((2, 2, 2)), 0.5)
    with pytest.raises(InputError, match="differ in shape"):
        distance_index(np.zeros((2, 2, 2)), np.zeros((3, 2, 2)), 0.5)
    with pytest.raises(InputError, match="motion_prior"):
        distance_index(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), 0.5, motion_prior=-1)


def test_official_naming_and_the_70_triples() -> None:
    assert index_name(0, 3, 6) == "dis_index_0_3_6.npy"
    assert index_name(6, 3, 0) == "dis_index_6_3_0.npy"
    assert parse_index_name("dis_index_2_4_5.npy") == (2, 4, 5)
    assert parse_index_name("dis_index_2_4_5_avg.npy") is None
    for bad in ((0, 0, 6), (3, 1, 6), (0, 6, 3), (-1, 0, 2)):
        with pytest.raises(InputError, match="strictly between"):
            index_name(*bad)
    triples = ordered_triples(7)
    assert len(triples) == len(set(triples)) == 70
    assert triples[:2] == [(0, 1, 2), (2, 1, 0)]
    assert all(i < j < k or i > j > k for i, j, k in triples)


def test_storage_is_finite_float16() -> None:
    stored = to_storage(np.array([[np.nan, 1e9], [-1e9, 0.3]]))
    assert stored.dtype == INDEX_DTYPE
    assert np.isfinite(stored).all()
    assert stored[0, 0] == 0
    assert stored[0, 1] == 100
    assert stored[1, 0] == -100
    assert downsample_map(np.ones((256, 448)), 2).shape == (128, 224)


def test_flow_helpers_on_translations() -> None:
    first = np.full((6, 8, 2), (2.0, 1.0), dtype=np.float32)
    second = np.full((6, 8, 2), (-0.5, 3.0), dtype=np.float32)
    np.testing.assert_allclose(compose_flows(first, second), np.full((6, 8, 2), (1.5, 4.0)))
    small = np.full((3, 4, 2), (1.0, 2.0), dtype=np.float32)
    big = upsample_flow(small, 6, 8)
    assert big.shape == (6, 8, 2)
    np.testing.assert_allclose(big, np.full((6, 8, 2), (2.0, 4.0)))


def test_exact_flows_give_the_exact_index_on_a_synthetic_septuplet() -> None:
    """Every layer moves by pure translation: the projection ratio of exact flows is the exact index."""
    septuplet = make_septuplet(seed=4, height=64, width=96, max_motion=12)
    for i, j, k in ((0, 3, 6), (6, 2, 1), (1, 4, 5)):
        truth, _ = true_index(septuplet, i, j, k)
        estimate = distance_index(exact_flow(septuplet, i, j), exact_flow(septuplet, i, k), time_ratio(i, j, k), 0.0)
        np.testing.assert_allclose(estimate, truth, atol=1e-5)
    # The objects follow their own easing curves, so the exact index is not the time ratio everywhere.
    truth, _ = true_index(septuplet, 0, 3, 6)
    assert np.abs(truth - 0.5).max() > 0.1


def test_chained_dis_beats_the_time_ratio_on_moving_objects() -> None:
    """The measured accuracy (the full figures are in the README): chained DIS recovers objects' own schedules."""
    from interp.research.flow import ChainedFlow

    accuracy = measure_index_error(ChainedFlow(DisFlow()), seeds=(0,), height=128, width=224)
    assert accuracy.maps == 70
    assert accuracy.prepared.objects < 0.5 * accuracy.time_ratio.objects
    assert accuracy.prepared.visible < 0.02
