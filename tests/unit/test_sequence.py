"""The --num time grid."""

from __future__ import annotations

import pytest

from interp.engine.sequence import check_nums, frame_count, sequence_times
from interp.errors import InputError
from interp.limits import MAX_SEQUENCE_FRAMES


@pytest.mark.parametrize(("nums", "count"), [([1], 3), ([1, 1], 5), ([1, 1, 1], 9), ([3], 5), ([2, 1], 7), ([0], 2)])
def test_frame_count_follows_the_seed(nums: list[int], count: int) -> None:
    assert frame_count(nums) == count
    assert len(sequence_times(nums)) == count


def test_times_are_a_uniform_grid_with_both_ends() -> None:
    assert sequence_times([1, 1]) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert sequence_times([2]) == pytest.approx([0, 1 / 3, 2 / 3, 1])


@pytest.mark.parametrize("nums", [[], [-1], [1, -2]])
def test_bad_nums(nums: list[int]) -> None:
    with pytest.raises(InputError):
        check_nums(nums)


def test_absurd_nums_are_bounded() -> None:
    with pytest.raises(InputError, match=f"limit is {MAX_SEQUENCE_FRAMES}"):
        check_nums([1000, 1000])
