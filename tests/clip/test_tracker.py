"""The tracker: which given frame fills which frame, following a known object, fixing a frame, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interp.clip.frames import WORK_SIDE, FolderClip, open_clip
from interp.clip.tracker import plan_runs, track
from interp.errors import InputError
from interp.io.images import read_image
from interp.testing.masks import iou

DAVIS = Path(__file__).resolve().parents[3] / "shared" / "data" / "davis-vos"


@pytest.mark.parametrize(
    ("given", "frames"), [([0], 5), ([4], 5), ([2, 7], 10), ([2, 3], 6), ([0, 9], 10), ([1, 4, 6], 9)]
)
def test_every_frame_is_filled_once_from_the_nearest_given_frame(given, frames):
    filled: dict[int, int] = {}
    for run in plan_runs(given, frames):
        for index in run.frames():
            assert index not in filled, f"frame {index} filled twice"
            filled[index] = run.start
    assert sorted([*filled, *given]) == list(range(frames))
    for index, source in filled.items():
        nearest = min(abs(index - g) for g in given)
        assert abs(index - source) == nearest


def test_plan_refuses_no_or_repeated_frames():
    with pytest.raises(InputError, match="at least one frame"):
        plan_runs([], 5)
    with pytest.raises(InputError, match="distinct"):
        plan_runs([3, 3], 5)


def test_follows_a_moving_object_both_ways(disc_clip):
    given = 5
    with open_clip(disc_clip.folder) as clip:
        masks = dict(track(clip, {given: disc_clip.masks[given]}))
    assert sorted(masks) == list(range(len(disc_clip.frames)))
    assert np.array_equal(masks[given], disc_clip.masks[given])
    scores = [iou(masks[k], disc_clip.masks[k]) for k in masks if k != given]
    assert min(scores) > 0.7, scores  # it grows a little into like-coloured background at each step (README)
    assert np.mean(scores) > 0.85, scores


def test_a_still_mask_would_fail_the_same_clip(disc_clip):
    """The object moves so far that keeping the given mask still scores low (so the test above means something)."""
    scores = [iou(disc_clip.masks[0], disc_clip.masks[k]) for k in range(6, len(disc_clip.masks))]
    assert max(scores) < 0.2


def test_a_mask_given_again_wins_on_its_frame_and_fixes_the_frames_near_it(disc_clip):
    wrong = np.zeros_like(disc_clip.masks[0])
    wrong[10:40, 10:40] = True  # a bad first mask: a square beside the disc
    with open_clip(disc_clip.folder) as clip:
        alone = dict(track(clip, {0: wrong}))
        fixed = dict(track(clip, {0: wrong, 8: disc_clip.masks[8]}))
    assert np.array_equal(fixed[8], disc_clip.masks[8])
    for k in (5, 6, 7, 9, 10, 11):  # nearer to 8 than to 0: followed from the corrected frame
        assert iou(fixed[k], disc_clip.masks[k]) > 0.75
        assert iou(fixed[k], disc_clip.masks[k]) > iou(alone[k], disc_clip.masks[k]) + 0.3


def test_bad_given_masks_are_refused_before_any_work(disc_clip):
    with open_clip(disc_clip.folder) as clip:
        with pytest.raises(InputError, match="outside the clip"):
            next(track(clip, {12: disc_clip.masks[0]}))
        with pytest.raises(InputError, match="is 20x10, but the clip's frames are 160x120"):
            next(track(clip, {0: np.ones((10, 20), bool)}))
        with pytest.raises(InputError, match="empty"):
            next(track(clip, {0: np.zeros_like(disc_clip.masks[0])}))


@pytest.mark.slow
def test_real_clip_against_its_ground_truth():
    """blackswan (DAVIS 2016): its first 20 frames followed from the true first mask, J against the truth."""
    if not DAVIS.is_dir():
        pytest.skip(f"{DAVIS} is missing")
    folder = DAVIS / "blackswan" / "frames"
    files = sorted(folder.iterdir())[:20]
    truth = [read_image(DAVIS / "blackswan" / "masks" / f"{k:05d}.png")[..., 0] > 0 for k in range(20)]
    with FolderClip(folder, files, WORK_SIDE) as clip:
        masks = dict(track(clip, {0: truth[0]}))
    scores = [iou(masks[k], truth[k]) for k in range(1, 20)]
    assert np.mean(scores) > 0.85, scores
