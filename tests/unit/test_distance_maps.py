"""Distance-map composition on tiny arrays."""

from __future__ import annotations

import numpy as np
import pytest

from interp.core.curves import Curve
from interp.core.distance_maps import compose_from_coverage, feather, footprints, label_map, swept_footprint
from interp.errors import InputError
from interp.testing.distance_maps import compose_distance_maps

TIMES = np.array([0.0, 0.25, 0.5, 0.75, 1.0])


def _box(shape: tuple[int, int], top: int, left: int, size: int) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[top : top + size, left : left + size] = True
    return mask


def test_same_curve_everywhere_gives_constant_maps() -> None:
    masks = [_box((16, 16), 2, 2, 4), _box((16, 16), 8, 8, 5)]
    flow = np.zeros((2, 16, 16))
    flow[0] = 3.0
    linear = Curve.preset("linear")
    maps = compose_distance_maps(masks, [linear, linear], linear, TIMES, flow)
    for t, dmap in zip(TIMES, maps, strict=True):
        assert dmap.dtype == np.float32
        assert dmap.shape == (16, 16)
        assert np.allclose(dmap, t)


def test_later_objects_are_on_top_and_values_stay_in_range() -> None:
    shape = (12, 12)
    low, high = _box(shape, 2, 2, 6), _box(shape, 4, 4, 6)
    coverage = [low.astype(np.float32), high.astype(np.float32)]
    maps = compose_from_coverage(coverage, np.array([[0.2, 0.9]]), np.array([0.5]))
    assert maps[0][5, 5] == pytest.approx(0.9)  # overlap: the later object wins
    assert maps[0][2, 2] == pytest.approx(0.2)
    assert maps[0][11, 0] == pytest.approx(0.5)


def test_feathered_maps_stay_between_their_frame_extremes() -> None:
    shape = (32, 32)
    masks = [_box(shape, 4, 4, 8), _box(shape, 10, 10, 10)]
    flow = np.zeros((2, *shape))
    maps = compose_distance_maps(
        masks, [Curve.preset("reverse"), Curve.preset("hold")], Curve.preset("linear"), TIMES, flow, feather_px=4
    )
    for t, dmap in zip(TIMES, maps, strict=True):
        values = [1 - t, 0.0, t]
        assert dmap.min() >= min(values) - 1e-6
        assert dmap.max() <= max(values) + 1e-6
        soft = (dmap > min(values) + 1e-3) & (dmap < max(values) - 1e-3)
        if max(values) - min(values) > 0.1:
            assert soft.any()  # edges are feathered, not hard


def test_feather_is_one_on_the_mask_and_zero_far_away() -> None:
    mask = _box((40, 40), 15, 15, 10)
    soft = feather(mask, 4.0)
    assert np.all(soft[mask] == 1.0)
    assert soft[0, 0] == 0.0
    outside = soft[8:15, 20]  # from 7 px outside to 1 px outside the top edge
    assert np.all(np.diff(outside) > 0)  # rises towards the mask
    assert 0.0 < outside[0] < 0.05
    assert 0.5 < outside[-1] < 1.0
    assert np.all((soft >= 0) & (soft <= 1))


def test_swept_footprint_covers_the_whole_path() -> None:
    shape = (10, 30)
    mask = _box(shape, 3, 2, 3)  # columns 2..4
    flow = np.zeros((2, *shape))
    flow[0][mask] = 12.0  # moves 12 px right
    swept = swept_footprint(mask, flow)
    assert swept[3:6, 2:17].all()  # from the start to the end position
    assert not swept[:, 18:].any()
    assert not swept[0].any()
    naive = footprints([mask], None, "naive")[0]
    assert naive[4, 10] < 0.01  # the naive map only covers the frame-0 position


def test_label_map_z_order() -> None:
    a, b = _box((6, 6), 0, 0, 4), _box((6, 6), 2, 2, 4)
    labels = label_map([a, b])
    assert labels[0, 0] == 0
    assert labels[3, 3] == 1
    assert labels[5, 0] == -1


def test_errors() -> None:
    mask = _box((8, 8), 1, 1, 2)
    with pytest.raises(InputError, match="one curve per mask"):
        compose_distance_maps([mask], [], Curve.preset("linear"), TIMES, np.zeros((2, 8, 8)))
    with pytest.raises(InputError, match="needs the pair's flow"):
        compose_distance_maps([mask], [Curve.preset("hold")], Curve.preset("linear"), TIMES)
    with pytest.raises(InputError, match="footprint method"):
        footprints([mask], None, "magic")
