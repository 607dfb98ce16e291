"""The compositing renderer's pure parts: object regions over time, soft edges, the clean plate, hole filling."""

from __future__ import annotations

import numpy as np

from interp.core.composite import (
    clean_plate,
    composite,
    fill_from_surroundings,
    ghost_region,
    inpaint,
    object_vicinity,
    paste_window,
    region_at,
    shift_px,
    soft_alpha,
    still_background,
    still_share,
)


def _square(top: int, left: int, size: int = 4, shape: tuple[int, int] = (16, 20)) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[top : top + size, left : left + size] = True
    return mask


def test_region_at_the_ends_is_each_frames_mask_and_in_between_moves_along_the_flow() -> None:
    mask0, mask1 = _square(4, 2), _square(4, 10)
    flow01 = np.zeros((2, 16, 20))
    flow01[0] = 8.0
    flow10 = -flow01
    assert (region_at(mask0, mask1, flow01, flow10, 0.0) == mask0).all()
    assert (region_at(mask0, mask1, flow01, flow10, 1.0) == mask1).all()
    assert (region_at(mask0, mask1, flow01, flow10, 0.5) == _square(4, 6)).all()


def test_soft_alpha_is_one_on_the_region_and_fades_to_zero() -> None:
    region = _square(6, 8)
    alpha = soft_alpha(region, grow_px=2, sigma=1.0)
    assert alpha.dtype == np.float32
    assert (alpha[region] == 1.0).all()
    assert alpha.min() == 0.0
    assert alpha.max() == 1.0
    assert 0.0 < alpha[5, 9] <= 1.0  # one pixel above the square: inside the grown edge
    assert alpha[0, 0] == 0.0


def test_fill_from_surroundings_keeps_known_pixels_and_fills_holes_smoothly() -> None:
    colour = np.zeros((12, 12, 3), np.float32)
    colour[:, :6] = 0.2
    colour[:, 6:] = 0.8
    known = np.ones((12, 12), bool)
    known[4:8, 4:8] = False
    holed = colour.copy()
    holed[~known] = 1.0  # garbage where nothing is known
    filled = fill_from_surroundings(holed, known)
    assert np.array_equal(filled[known], colour[known])
    assert (filled[~known] >= 0.2 - 1e-6).all()
    assert (filled[~known] <= 0.8 + 1e-6).all()
    assert filled[6, 4, 0] < filled[6, 7, 0]  # the left of the hole leans to the left's colour


def test_clean_plate_shows_the_background_an_object_hid_in_one_frame() -> None:
    rng = np.random.default_rng(0)
    background = rng.random((16, 20, 3)).astype(np.float32)
    mask0, mask1 = _square(4, 2), _square(4, 10)
    img0, img1 = background.copy(), background.copy()
    img0[mask0], img1[mask1] = 1.0, 1.0  # a white square moving 8 px over a still background
    zero = np.zeros((2, 16, 20))
    none = np.zeros((16, 20), bool)
    plate, seen = clean_plate(img0, img1, ~mask0, ~mask1, none, none, zero, zero, 0.0)
    assert seen.all()
    assert np.allclose(plate, background, atol=1e-5)  # frame 0's hidden patch comes from frame 1


def test_clean_plate_trusts_pixels_next_to_a_mask_over_a_guess_and_takes_still_views_as_they_are() -> None:
    rng = np.random.default_rng(1)
    background = rng.random((16, 20, 3)).astype(np.float32)
    mask = _square(4, 4, size=6)
    img0, img1 = background.copy(), background.copy()
    img0[mask], img1[mask] = 1.0, 1.0  # a held object: what it hides no frame shows
    zero = np.zeros((2, 16, 20))
    doubtful = (_square(3, 3, size=8) | _square(2, 2, size=10)) & ~mask  # a band around the mask
    plate, seen = clean_plate(img0, img1, ~mask, ~mask, doubtful, doubtful, zero, zero, 0.5)
    assert np.allclose(plate[doubtful], background[doubtful], atol=1e-5)  # shown, if doubtful: not smoothed
    assert (seen == ~mask).all()
    view = np.full((16, 20, 3), 0.25, np.float32)
    plate, seen = clean_plate(img0, img1, ~mask, ~mask, doubtful, doubtful, zero, zero, 0.5, (view, mask))
    assert seen.all()
    assert np.array_equal(plate[mask], view[mask])


def test_still_share_tells_a_still_background_from_a_moving_one() -> None:
    rng = np.random.default_rng(2)
    texture = rng.random((40, 48, 3)).astype(np.float32)
    everywhere = np.ones((40, 48), bool)
    noisy = np.clip(texture + rng.normal(0.0, 0.01, texture.shape), 0, 1).astype(np.float32)
    assert still_share(texture, noisy, everywhere, everywhere).min() > 0.99
    moved = np.roll(texture, 2, axis=1)  # the camera panned two pixels
    assert still_share(texture, moved, everywhere, everywhere).max() < 0.5
    hidden = np.zeros((40, 48), bool)
    hidden[10:30, 10:30] = True  # where one frame shows an object: judged from around it
    share = still_share(texture, noisy, ~hidden, everywhere)
    assert share[20, 20] > 0.99


def test_still_background_takes_the_view_nearest_in_time_where_it_shows_background() -> None:
    shape = (6, 8)
    frame0, frame1, network = (np.full((*shape, 3), v, np.float32) for v in (0.0, 1.0, 0.5))
    shows0 = np.ones(shape, bool)
    shows0[:, :4] = False  # an object covers the left half of frame 0
    shows1 = np.ones(shape, bool)
    shows_network = np.zeros(shape, bool)
    still = np.ones(shape, bool)
    still[0] = False  # the top row moves: no view shows it as it is at the wanted time
    views = [(0.0, frame0, shows0), (1.0, frame1, shows1), (0.5, network, shows_network)]
    colour, known = still_background(views, still, 0.2)
    assert (known == still).all()
    assert (colour[1:, 4:] == 0.0).all()
    assert (colour[1:, :4] == 1.0).all()  # frame 0 hides it; frame 1 shows it
    assert (colour[0] == 0.0).all()


def test_composite_blends_plate_then_layers_in_order() -> None:
    base = np.zeros((4, 4, 3), np.float32)
    plate = np.full((4, 4, 3), 0.5, np.float32)
    remove = np.zeros((4, 4), np.float32)
    remove[0] = 1.0
    layer = np.ones((4, 4, 3), np.float32)
    alpha = np.zeros((4, 4), np.float32)
    alpha[:, 0] = 1.0
    out = composite(base, plate, remove, [(layer, alpha)])
    assert np.allclose(out[0, 1:], 0.5)
    assert np.allclose(out[:, 0], 1.0)
    assert np.allclose(out[1:, 1:], 0.0)
    assert np.array_equal(composite(base, None, remove, []), base)


def test_ghost_region_finds_what_differs_from_the_plate_near_a_moved_object() -> None:
    base = np.zeros((10, 10, 3), np.float32)
    base[2:5, 2:5] = 0.9  # left-over of an object
    base[7:9, 7:9] = 0.9  # a difference far from the object: not a ghost
    plate = np.zeros_like(base)
    near = np.zeros((10, 10), bool)
    near[:6, :6] = True
    found = ghost_region(base, plate, np.ones((10, 10), bool), near)
    assert found[3, 3]
    assert not found[8, 8]


def test_shift_px_scales_the_objects_motion_by_the_distance_difference() -> None:
    mask = _square(4, 2)
    flow01 = np.zeros((2, 16, 20))
    flow01[0][mask] = 8.0
    assert shift_px(flow01, mask, 0.5) == 4.0
    assert shift_px(flow01, mask, -1e-3) < 0.01
    assert shift_px(flow01, np.zeros_like(mask), 0.5) == 0.0


def test_paste_window_writes_the_part_and_drops_what_lies_outside() -> None:
    canvas = np.zeros((4, 5, 3), np.float32)
    part = np.arange(3 * 3 * 3, dtype=np.float32).reshape(3, 3, 3)
    out = paste_window(canvas, part, -1, 3)  # starts above the canvas and runs off its right side
    assert np.array_equal(out[0:2, 3:5], part[1:3, 0:2])
    assert out[2:, :].sum() == 0
    assert out[:, :3].sum() == 0
    assert canvas.sum() == 0  # the canvas itself is untouched


def test_object_vicinity_takes_each_objects_own_time_where_the_background_is_still() -> None:
    shape = (6, 8)
    at_half, at_one = np.full((*shape, 3), 0.5, np.float32), np.ones((*shape, 3), np.float32)
    near_a, near_b = np.zeros(shape, bool), np.zeros(shape, bool)
    near_a[:, :5], near_b[:, 3:] = True, True  # two objects, near each other in columns 3 and 4
    shows = np.ones(shape, bool)
    shows[0, 0] = False  # object a's own region at its time: not taken
    still = np.ones(shape, bool)
    still[:, 7] = False
    colour, known = object_vicinity([near_a, near_b], [(at_half, shows), (at_one, shows)], still)
    assert (colour[:, 3:7] == 1.0).all()  # b is on top
    assert (colour[1:, :3] == 0.5).all()
    assert not known[0, 0]
    assert not known[:, 7].any()


def test_inpaint_fills_only_the_wanted_pixels_from_the_known_ones() -> None:
    ys, xs = np.mgrid[0:48, 0:64]
    gradient = np.stack([xs / 63.0, ys / 47.0, np.full(xs.shape, 0.5)], axis=2).astype(np.float32)
    known = np.ones((48, 64), bool)
    known[20:28, 30:38] = False
    wanted = ~known
    wanted[20:22] = False  # hidden, but covered in the output: left as it is
    holed = gradient.copy()
    holed[~known] = 0.0
    filled = inpaint(holed, known, wanted)
    assert np.array_equal(filled[~wanted], holed[~wanted])
    assert np.abs(filled[wanted] - gradient[wanted]).max() < 0.05
    assert inpaint(holed, known, np.zeros_like(known)) is holed  # nothing invented: nothing to do
