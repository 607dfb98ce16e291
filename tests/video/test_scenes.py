"""Cut and repeat detection: pure functions on small arrays and synthetic shots."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from interp.engine.scenes import (
    DEFAULT_SCENE_THRESHOLD,
    DUPLICATE_TOLERANCE,
    Transition,
    classify,
    frame_signature,
    is_cut,
    is_duplicate,
    max_block_difference,
    similarity,
    structure_similarity,
)
from interp.errors import InputError
from tests.video.clips import scene_frames


def test_block_difference_is_the_worst_block_mean() -> None:
    a = np.zeros((16, 16, 3), np.uint8)
    b = a.copy()
    b[8:, 8:] = 8  # one 8 x 8 block differs by 8 levels, the other three by nothing
    assert max_block_difference(a, b) == pytest.approx(8.0)
    b[0, 0, 0] = 24  # one pixel in one channel: 24 / 3 channels / 64 pixels
    assert max_block_difference(a, b) == pytest.approx(8.0)
    assert max_block_difference(a, a) == 0.0
    assert max_block_difference(np.zeros((3, 5, 3), np.uint8), np.full((3, 5, 3), 2, np.uint8)) == pytest.approx(2.0)


def test_repeats_tolerate_codec_noise_but_not_a_small_moving_object() -> None:
    rng = np.random.default_rng(0)
    frame = scene_frames(0, 2)[0]
    noise = rng.integers(-1, 2, frame.shape)  # +-1 level everywhere, like a near-lossless re-encode
    noisy = np.clip(frame.astype(int) + noise, 0, 255).astype(np.uint8)
    assert is_duplicate(frame, frame, tolerance=0.0)
    assert is_duplicate(frame, noisy)
    assert not is_duplicate(frame, noisy, tolerance=0.0)
    moved = frame.copy()
    moved[10:16, 20:26] = 255 - moved[10:16, 20:26]  # a 6 x 6 px change in a 64 x 96 frame: 0.6% of the pixels
    assert np.abs(moved.astype(int) - frame.astype(int)).mean() < DUPLICATE_TOLERANCE  # a global mean misses it
    assert not is_duplicate(frame, moved)


def test_motion_within_a_shot_is_similar_and_a_different_shot_is_not() -> None:
    shot, other = scene_frames(1, 6), scene_frames(2, 6)
    signatures = [frame_signature(f) for f in shot]
    within = [similarity(a, b) for a, b in itertools.pairwise(signatures)]
    across = similarity(signatures[-1], frame_signature(other[0]))
    assert min(within) > 0.8
    assert across < 0.3
    assert not is_cut(signatures[0], signatures[1])
    assert is_cut(signatures[-1], frame_signature(other[0]))
    assert not is_cut(signatures[-1], frame_signature(other[0]), threshold=0.0)  # 0 turns detection off


def test_flat_frames() -> None:
    black, grey = np.zeros((8, 8), np.float32), np.full((8, 8), 0.5, np.float32)
    textured = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    assert structure_similarity(black, grey) == 1.0  # no structure in either; the colour score tells them apart
    assert structure_similarity(black, textured) == 0.0
    frames = [np.full((32, 32, 3), v, np.uint8) for v in (0, 0, 200)]
    signatures = [frame_signature(f) for f in frames]
    assert similarity(signatures[0], signatures[1]) == pytest.approx(1.0)
    assert is_cut(signatures[1], signatures[2])  # a cut from black to a bright frame


def test_classify_prefers_repeat_then_cut() -> None:
    shot, other = scene_frames(3, 3), scene_frames(4, 1)
    sig = [frame_signature(f) for f in (*shot, other[0])]
    assert classify(shot[0], sig[0], shot[0], sig[0]) is Transition.DUPLICATE
    assert classify(shot[0], sig[0], shot[1], sig[1]) is Transition.MOTION
    assert classify(shot[2], sig[2], other[0], sig[3]) is Transition.CUT
    assert DEFAULT_SCENE_THRESHOLD == 0.6


@pytest.mark.parametrize("threshold", [-0.1, 1.5, float("nan")])
def test_bad_threshold(threshold: float) -> None:
    sig = frame_signature(np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(InputError, match="scene threshold must be in"):
        is_cut(sig, sig, threshold)


def test_bad_frames() -> None:
    with pytest.raises(InputError, match="H x W x 3 uint8"):
        frame_signature(np.zeros((8, 8), np.uint8))
    with pytest.raises(InputError, match="differ in size"):
        max_block_difference(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 9, 3), np.uint8))
    with pytest.raises(InputError, match="tolerance"):
        is_duplicate(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8), tolerance=-1)
