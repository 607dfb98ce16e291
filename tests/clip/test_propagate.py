"""The pure parts of one tracking step: where the work is done, how the flow is checked, how the mask snaps."""

from __future__ import annotations

import numpy as np

from interp.clip.propagate import backward_warp, flow_failure, graph_cut, region_of_interest


def test_region_of_interest_grows_the_box_and_stays_in_the_frame():
    soft = np.zeros((100, 200), np.float32)
    assert region_of_interest(soft, 0.75) == (slice(0, 100), slice(0, 200))  # nothing: the whole frame
    soft[40:50, 90:100] = 1.0  # 100 px: sqrt = 10, 0.75 * 10 < 32, so a 32 px margin
    assert region_of_interest(soft, 0.75) == (slice(8, 82), slice(58, 132))
    soft[0:5, 195:200] = 1.0  # a part at the corner: clipped to the frame
    assert region_of_interest(soft, 0.75) == (slice(0, 82), slice(58, 200))


def test_backward_warp_moves_a_mask_by_the_flow():
    mask = np.zeros((20, 30), np.float32)
    mask[5:10, 5:10] = 1.0
    flow = np.zeros((20, 30, 2), np.float32)
    flow[..., 0] = -3.0  # each pixel comes from 3 px to its left: the mask moves 3 px right
    moved = backward_warp(mask, flow)
    assert np.array_equal(moved > 0.5, np.roll(mask, 3, axis=1) > 0.5)


def test_flow_failure_marks_where_the_round_trip_misses():
    back = np.zeros((40, 40, 2), np.float32)
    forward = np.zeros((40, 40, 2), np.float32)
    forward[20:, :, 1] = 5.0  # the lower half disagrees with the backward flow
    failed = flow_failure(back, forward, threshold=1.5)
    assert failed[:10].max() < 0.05
    assert failed[30:].min() > 0.95


def test_graph_cut_follows_an_edge_the_posterior_only_hints_at():
    frame = np.zeros((40, 40, 3), np.uint8)
    frame[:, 20:] = 200  # a sharp edge at x = 20
    posterior = np.full((40, 40), 0.5, np.float32)
    posterior[:, :8] = 0.05  # sure background far left, sure object far right, undecided between
    posterior[:, 32:] = 0.95
    region = np.ones((40, 40), bool)
    cut = graph_cut(frame, posterior, region, weight=3.0)
    assert cut[:, 20:].all()
    assert not cut[:, :20].any()
