"""Retiming objects inside a clip: masks kept on disk, clean plates from the clip's other frames, and output frames
compared with the exact retimed frames of a generated clip (the real rife-v4 network in between frames)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from interp.clip.plates import Registration, clean_plate, grow, grow_px, search_order
from interp.clip.retime import Retimer, Timing, carry_mask, clip_timings, split_time
from interp.clip.store import MaskStore
from interp.core.curves import Curve
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.research import metrics
from interp.testing.position_error import placement_errors
from interp.testing.synthetic import SyntheticClip, make_clip


def psnr(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> float:
    return metrics.psnr(a, b, peak=255.0, where=where)


def background_only(clip: SyntheticClip, index: int) -> np.ndarray:
    return replace(clip.scene, objects=()).render(background=clip.distance(index))


@pytest.fixture(scope="module")
def rife() -> Interpolator:
    return Interpolator.load("rife-v4", device="cpu")


def test_the_store_gives_back_every_mask_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    masks = rng.random((2, 3, 13, 21)) > 0.5  # a width that is not a multiple of 8
    with MaskStore(2, 3, 13, 21) as store:
        for i in range(2):
            for k in range(3):
                store.put(i, k, masks[i, k])
        assert store.complete()
        assert all(np.array_equal(store.get(i, k), masks[i, k]) for i in range(2) for k in range(3))
        assert np.array_equal(store.union([0, 1], 2), masks[0, 2] | masks[1, 2])
    with MaskStore(1, 2, 4, 4) as store, pytest.raises(InputError, match="no mask on frame 1"):
        store.get(0, 1)


def test_curves_become_clip_times() -> None:
    timings = clip_timings(Curve.preset("linear"), [Curve.from_points([[0, 0.5], [1, 0.5]])], 5, 9)
    assert [t.background for t in timings] == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert all(t.objects == (4.0,) for t in timings)
    assert [t.differing() for t in timings] == [(0,), (0,), (), (0,), (0,)]
    assert split_time(2.0000001, 9) == (2, 0.0)
    assert split_time(8.0, 9) == (8, 0.0)
    assert split_time(7.5, 9) == (7, 0.5)
    assert search_order(1, 4, reach=3) == [2, 0, 3]


def test_a_mask_is_carried_along_the_flow() -> None:
    a = np.zeros((8, 8), bool)
    a[2:4, 2:4] = True
    flow = np.zeros((4, 8, 8), np.float32)
    flow[0] = -2.0  # the frame at t shows frame 0's pixel 2 px to the left
    carried = carry_mask(a, np.zeros_like(a), flow, 0.25)
    assert carried[2:4, 4:6].min() == pytest.approx(0.75)
    assert carried[2:4, 2:4].max() == 0


def test_a_still_camera_plate_is_the_true_background() -> None:
    clip = make_clip(seed=3, num_frames=12, pan=(0.0, 0.0), object_speed=6.0)
    with clip.mask_store() as store:
        frames = [clip.frame(k) for k in range(clip.num_frames)]
        objects = lambda k: store.union([0, 1], k)  # noqa: E731
        registration = Registration(frames.__getitem__, objects, store.height, store.width)
        plate = clean_plate(5, store.get(0, 5), registration, clip.num_frames)
        region = store.get(0, 5) & ~store.get(1, 5)
        assert psnr(plate.image, background_only(clip, 5), region & ~plate.invented) > 40
        hidden = np.ones_like(region)  # behind an object on every frame: no frame shows it, so it is invented
        for k in range(clip.num_frames):
            hidden &= grow(store.union([0, 1], k), grow_px(store.height, store.width))
        assert np.array_equal(plate.invented, grow(store.get(0, 5), grow_px(store.height, store.width)) & hidden)
        assert 0 < plate.invented.sum() < region.sum()
        outside = ~grow(store.get(0, 5), grow_px(store.height, store.width))
        assert np.array_equal(plate.image[outside], frames[5][outside])


def test_a_panning_camera_plate_comes_from_registered_frames() -> None:
    clip = make_clip(seed=4, num_frames=12, pan=(2.0, 1.0), object_speed=6.0)
    with clip.mask_store() as store:
        frames = [clip.frame(k) for k in range(clip.num_frames)]
        registration = Registration(frames.__getitem__, lambda k: store.union([0, 1], k), store.height, store.width)
        assert registration.step(4, 5) is not None
        plate = clean_plate(5, store.get(1, 5), registration, clip.num_frames)
        region = store.get(1, 5) & ~store.get(0, 5) & ~plate.invented
        assert region.sum() > 1000
        assert psnr(plate.image, background_only(clip, 5), region) > 30


@pytest.mark.parametrize(
    ("name", "background", "objects"),
    [("freeze", 6.0, (1.0, 6.0)), ("reverse", 3.0, (9.0, 3.0)), ("slow", 5.5, (2.75, 5.5)), ("fast", 4.5, (4.5, 9.0))],
)
def test_retimed_frames_match_the_exact_ones(rife: Interpolator, name: str, background: float, objects: tuple) -> None:
    clip = make_clip(seed=1, num_frames=12)
    with clip.mask_store() as store:
        retimer = Retimer(rife, clip.frame, store, clip.num_frames)
        out = retimer.render(Timing(background, objects))
        truth = clip.render(background, objects)
        errors = [e for e in placement_errors(out.image, truth, clip.visible(background, objects)) if e is not None]
        assert psnr(out.image, truth) >= 34, name
        assert errors, name
        assert max(errors) <= 1.0, name


def test_equal_times_give_the_clip_and_plain_interpolation(rife: Interpolator) -> None:
    clip = make_clip(seed=1, num_frames=12)
    with clip.mask_store() as store:
        retimer = Retimer(rife, clip.frame, store, clip.num_frames)
        assert np.array_equal(retimer.render(Timing(4.0, (4.0, 4.0))).image, clip.frame(4))
        plain = rife.render(rife.encode_pair(clip.frame(4), clip.frame(5)), [0.5])[0]
        expected = np.clip(np.rint(plain * 255), 0, 255).astype(np.uint8)
        assert np.array_equal(retimer.render(Timing(4.5, (4.5, 4.5))).image, expected)
