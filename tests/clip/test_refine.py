"""Re-segmenting each followed frame from the propagated mask: the prompts, the agreement guard, a real (tiny) SAM."""

from __future__ import annotations

import numpy as np
import pytest

from interp.clip.frames import open_clip
from interp.clip.refine import prompts_from_mask, refine_with
from interp.clip.tracker import track
from interp.testing.masks import iou
from sam_utils.prompts import Backend, SegmentResult


def test_prompts_are_the_box_and_the_deepest_points_of_the_large_parts():
    mask = np.zeros((60, 100), bool)
    mask[10:40, 10:40] = True  # a large part, deepest at its centre
    mask[20:30, 70:80] = True  # a smaller part, more than a tenth of the large one
    mask[55:57, 95:97] = True  # a speck: no click of its own
    clicks, box = prompts_from_mask(mask)
    assert (box.x0, box.y0, box.x1, box.y1) == (10, 10, 97, 57)
    assert len(clicks) == 2
    assert all(c.positive for c in clicks)
    assert 20 <= clicks[0].x <= 30 and 20 <= clicks[0].y <= 30  # noqa: PT018
    assert 70 <= clicks[1].x <= 80 and 20 <= clicks[1].y <= 30  # noqa: PT018


class Answers:
    """A segmenter (the project's protocol) that answers a fixed mask per frame, to check the plumbing."""

    backend = Backend.FALLBACK

    def __init__(self, frames, answers):
        self.answers = {frame.tobytes(): answer for frame, answer in zip(frames, answers, strict=True)}

    def describe(self):
        return "fixed answers"

    def prepare(self, image, next_image=None):
        return None

    def segment(self, image, clicks, box=None, next_image=None):
        return SegmentResult(self.answers[image.tobytes()], 1.0, self.backend)


def test_an_agreeing_answer_is_carried_on_and_a_different_one_ignored(disc_clip):
    with open_clip(disc_clip.folder) as clip:
        plain = dict(track(clip, {0: disc_clip.masks[0]}))
        truth = Answers(disc_clip.frames, disc_clip.masks)
        refined = dict(track(clip, {0: disc_clip.masks[0]}, refine=refine_with(truth)))
        elsewhere = np.zeros_like(disc_clip.masks[0])
        elsewhere[90:110, 120:150] = True
        wrong = Answers(disc_clip.frames, [elsewhere] * len(disc_clip.frames))
        guarded = dict(track(clip, {0: disc_clip.masks[0]}, refine=refine_with(wrong)))
    for k in range(1, len(disc_clip.frames)):
        assert iou(refined[k], disc_clip.masks[k]) > 0.97  # the truth each frame (at the working size)
        assert np.array_equal(guarded[k], plain[k])  # an answer elsewhere never takes over
    assert np.mean([iou(plain[k], disc_clip.masks[k]) for k in range(1, 12)]) < 0.97


@pytest.mark.slow
def test_a_real_segment_anything_runs_in_the_loop(disc_clip, tiny_sam_checkpoint):
    from sam_utils.segmenter import make_segmenter

    segmenter = make_segmenter("sam", checkpoint=tiny_sam_checkpoint, device="cpu")
    with open_clip(disc_clip.folder) as clip:
        masks = dict(track(clip, {0: disc_clip.masks[0]}, refine=refine_with(segmenter)))
    assert sorted(masks) == list(range(len(disc_clip.frames)))
    assert segmenter.encodings == len(disc_clip.frames) - 1  # each followed frame encoded once
