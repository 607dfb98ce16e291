"""The default renderer on real footage with the real rife-v4 weights: it agrees with the plain network where the
distances agree, and a held object leaves no ghost (UCF101 triplet, fixed camera, mask from bench/real)."""

from __future__ import annotations

import numpy as np
import pytest

from interp.core.renderers import DEFAULT_RENDERER
from interp.engine.interpolator import Interpolator
from interp.engine.manipulator import Manipulator, band
from interp.io.images import read_image
from interp.models.paths import PROJECT_ROOT
from interp.research.metrics import psnr
from sam_utils.masks import read_mask_png
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def teacher() -> dict:
    """UCF101 triplet 21 (a teacher writing, fixed camera) and the teacher's mask on frame 0."""
    folder = shared_path("data", "eval", "ucf101", "21")
    frames = {name: read_image(folder / f"{name}.png") for name in ("frame0", "gt", "frame1")}
    mask = read_mask_png(PROJECT_ROOT / "bench" / "real" / "masks" / "ucf21-teacher-0.png")
    manipulator = Manipulator(Interpolator.load("rife-v4", device="cpu"))
    prepared = manipulator.prepare(frames["frame0"], frames["frame1"], [mask])
    return {"frames": frames, "manipulator": manipulator, "prepared": prepared}


def _render(teacher: dict, d_object: float, d_background: float, renderer: str = "composite") -> np.ndarray:
    manipulator, prepared = teacher["manipulator"], teacher["prepared"]
    return next(manipulator.render(prepared, np.array([[d_object]]), np.array([d_background]), renderer))


def test_composite_is_the_default_for_rife_v4(teacher: dict) -> None:
    from interp.engine.manipulator import choose_renderer

    assert DEFAULT_RENDERER == "composite"
    assert choose_renderer(teacher["manipulator"].interpolator) == "composite"


def test_objects_at_the_backgrounds_distance_give_the_networks_frame(teacher: dict) -> None:
    network = teacher["manipulator"].interpolator.render(teacher["prepared"].pair, [0.5])[0]
    assert np.array_equal(_render(teacher, 0.5, 0.5), network)
    truth = teacher["frames"]["gt"] / 255.0
    nearly = _render(teacher, 0.5 + 1e-3, 0.5)
    assert abs(psnr(nearly, truth) - psnr(network, truth)) < 0.1


def test_a_held_object_leaves_no_ghost(teacher: dict) -> None:
    """Object hold, background linear on a fixed camera must give frame 0; splatting left a see-through ghost."""
    truth = teacher["frames"]["frame0"] / 255.0
    composite = psnr(_render(teacher, 0.0, 0.5), truth)
    splat = psnr(_render(teacher, 0.0, 0.5, "splat"), truth)
    assert composite > 43.0
    assert composite > splat + 2.0


def test_a_window_renders_what_the_whole_frame_does_around_the_object(teacher: dict) -> None:
    interpolator, pair = teacher["manipulator"].interpolator, teacher["prepared"].pair
    assert interpolator.window(pair, 0, 0, 240, 320) is None  # the whole frame: no saving
    found = interpolator.window(pair, 100, 60, 100, 120)
    assert found is not None
    small, (top, left) = found
    assert (top, left) == (64, 0)  # widened to whole 64-pixel blocks
    assert small.size[0] % 64 == 0
    assert small.size[1] % 64 == 0
    part = interpolator.render(small, [0.3])[0]
    whole = interpolator.render(pair, [0.3])[0]
    inner = (slice(100, 200), slice(60, 180))  # the asked-for window, away from the window's own edges
    inside = whole[inner]
    assert (
        psnr(part[inner[0].start - top : inner[0].stop - top, inner[1].start - left : inner[1].stop - left], inside)
        > 38
    )


def test_a_held_object_on_a_still_background_keeps_the_background_frame_0_shows(teacher: dict) -> None:
    """Object hold, background linear: around the teacher, background that frame 0 shows comes back as frame 0
    has it (the network's frame at 0.5 bends it with the teacher's motion; smoothing it blurred it)."""
    manipulator, prepared = teacher["manipulator"], teacher["prepared"]
    frame = manipulator.render_one(prepared, np.array([0.0]), 0.5)
    mask0 = prepared.labels0 == 0
    around = band(mask0, 10) & ~band(mask0, 4)  # background next to the teacher, outside any soft edge
    truth = teacher["frames"]["frame0"] / 255.0
    exact = np.abs(frame.image[around] - truth[around]).max(axis=1) < 1e-6
    assert exact.mean() > 0.95  # the rest: where the teacher's writing hand changes the board (not still there)
    assert psnr(frame.image[around], truth[around]) > 50.0
    assert not frame.invented.any()  # a fixed camera: what the teacher hides at 0.5 frame 0 shows


def test_a_render_says_which_pixels_no_frame_shows(teacher: dict) -> None:
    """Frames shifted apart like a panning camera under a teacher held still on screen: what the teacher hides in
    both frames and the moved background reveals is invented, and only that."""
    frames = teacher["frames"]
    img0 = frames["frame0"]
    img1 = np.roll(img0, -24, axis=1)  # the background moved 24 px left; the teacher with it
    mask = teacher["prepared"].masks[0]
    manipulator = teacher["manipulator"]
    prepared = manipulator.prepare(img0, img1, [mask])
    frame = manipulator.render_one(prepared, np.array([0.0]), 1.0)  # background at 1, the teacher where frame 0 has it
    hidden = mask & np.roll(mask, -24, axis=1)  # hidden by the teacher in frame 0 and in frame 1 alike
    assert frame.invented.any()
    assert frame.invented.sum() <= 1.5 * (np.roll(mask, -24, axis=1) & ~mask).sum() + 1
    assert not (frame.invented & ~band(np.roll(mask, -24, axis=1), 12)).any()  # only about where it is at 1
    assert hidden.any()
