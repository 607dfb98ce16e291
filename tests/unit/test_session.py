"""Session operations behind the app's handlers (segmentation injected as a simple disk-around-clicks function)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from interp.app.session import (
    SceneObject,
    Session,
    add_object,
    box_click,
    clear_objects,
    click,
    curve_from_knots,
    delete_object,
    fit_frame,
    from_project,
    paint,
    rename_object,
    set_curve,
    set_frames,
    to_inputs,
    to_project,
    undo,
)
from interp.core.curves import Curve
from interp.errors import InputError
from interp.limits import MAX_WORKING_SIDE
from interp.project.inputs import load_inputs
from interp.project.schema import Click, parse_project, project_to_dict


def disk_segment(img0, img1, clicks, box=None):
    """Union of 6 px disks around positive clicks minus disks around negative ones, inside the box if one is given."""
    ys, xs = np.mgrid[: img0.shape[0], : img0.shape[1]]
    mask = np.zeros(img0.shape[:2], bool)
    for c in clicks:
        disk = (xs - c.x) ** 2 + (ys - c.y) ** 2 <= 36
        mask = mask | disk if c.positive else mask & ~disk
    if box is not None:
        mask &= (xs >= box.x0) & (xs < box.x1) & (ys >= box.y0) & (ys < box.y1)
    return mask, 0.9


def _frames(height: int = 40, width: int = 60) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8), rng.integers(
        0, 256, (height, width, 3), dtype=np.uint8
    )


@pytest.fixture
def session() -> Session:
    s = Session()
    set_frames(s, *_frames())
    return s


def test_click_before_frames_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="load frame 0 and frame 1 first"):
        click(Session(), 5, 5, True, disk_segment)


def test_first_click_creates_an_object_and_segments(session: Session) -> None:
    assert click(session, 20, 20, True, disk_segment) == 0
    obj = session.objects[0]
    assert obj.name == "object 1"
    assert obj.mask[20, 20]
    assert obj.score == pytest.approx(0.9)
    click(session, 22, 20, False, disk_segment)
    assert not obj.mask[20, 22]
    with pytest.raises(InputError, match="outside"):
        click(session, 99, 5, True, disk_segment)


def test_negative_first_click_needs_an_object(session: Session) -> None:
    with pytest.raises(InputError, match="positive click"):
        click(session, 10, 10, False, disk_segment)


def test_undo_walks_back_across_objects(session: Session) -> None:
    click(session, 10, 10, True, disk_segment)
    add_object(session)
    click(session, 40, 20, True, disk_segment)
    click(session, 45, 20, True, disk_segment)
    assert undo(session).index == 1
    assert len(session.objects[1].clicks) == 1
    undo(session)
    assert session.objects[1].mask is None
    assert undo(session).index == 0
    assert session.objects[0].mask is None
    assert undo(session) is None


def test_rename_delete_clear(session: Session) -> None:
    click(session, 10, 10, True, disk_segment)
    add_object(session)
    click(session, 40, 20, True, disk_segment)
    rename_object(session, 1, "  the   ball ")
    assert session.objects[1].name == "the ball"
    with pytest.raises(InputError, match="already called"):
        rename_object(session, 0, "the ball")
    with pytest.raises(InputError, match="cannot be empty"):
        rename_object(session, 0, "   ")
    delete_object(session, 0)
    assert [o.name for o in session.objects] == ["the ball"]
    assert [(e.index, e.kind) for e in session.history] == [(0, "click")]
    clear_objects(session)
    assert session.objects == []
    with pytest.raises(InputError, match="select an object"):
        delete_object(session, None)


def test_frames_of_different_size_and_large_frames_get_notices() -> None:
    s = Session()
    big0 = np.zeros((MAX_WORKING_SIDE, 2 * MAX_WORKING_SIDE, 3), np.uint8)
    notices = set_frames(s, big0, np.zeros((100, 100, 3), np.uint8))
    assert any("frame 1 was letterboxed from 100x100" in n for n in notices)
    assert any("working at 1280x640" in n for n in notices)
    assert s.size == (640, 1280)
    assert s.originals[0].shape == big0.shape
    with pytest.raises(InputError, match="at least 16x16"):
        set_frames(s, np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8))


def test_curves_from_sliders(session: Session) -> None:
    curve = curve_from_knots([0, 0.2, 1.4, 0.5, -1])
    assert curve.at_knots() == pytest.approx([0, 0.2, 1.0, 0.5, 0.0])
    set_curve(session, None, Curve.preset("hold"))
    assert session.background == Curve.preset("hold")
    with pytest.raises(InputError, match="need 5"):
        curve_from_knots([0, 1])


def test_project_round_trip_restores_the_session(session: Session) -> None:
    click(session, 20, 20, True, disk_segment)
    set_curve(session, 0, Curve.preset("reverse"))
    set_curve(session, None, Curve.preset("hold"))
    project = to_project(session, num_frames=5, fps=8.0)
    reparsed = parse_project(project_to_dict(project))  # self-contained: frames and masks are data URIs
    restored = Session()
    from_project(restored, reparsed, load_inputs(reparsed))
    assert np.array_equal(restored.img0, session.img0)
    assert np.array_equal(restored.objects[0].mask, session.objects[0].mask)
    assert restored.objects[0].curve == Curve.preset("reverse")
    assert restored.background == Curve.preset("hold")
    assert restored.objects[0].clicks == session.objects[0].clicks


def test_original_size_inputs_scale_masks_up() -> None:
    s = Session()
    set_frames(s, *_frames(2 * MAX_WORKING_SIDE, MAX_WORKING_SIDE))
    click(s, 300, 600, True, disk_segment)
    full = to_inputs(s, original_size=True)
    assert full.img0.shape[:2] == (2 * MAX_WORKING_SIDE, MAX_WORKING_SIDE)
    assert full.masks[0].shape == full.img0.shape[:2]
    assert full.masks[0][1200, 600]
    assert to_inputs(s).img0.shape[:2] == (MAX_WORKING_SIDE, MAX_WORKING_SIDE // 2)


def test_two_box_clicks_draw_a_box_that_bounds_the_mask(session: Session) -> None:
    assert box_click(session, 20, 8, disk_segment) is None  # the first corner only
    assert session.box_corner == (20.0, 8.0)
    assert session.objects == []
    index = box_click(session, 12, 22, disk_segment)  # corners in any order
    obj = session.objects[index]
    assert (obj.box.x0, obj.box.y0, obj.box.x1, obj.box.y1) == (12, 8, 21, 23)
    assert obj.mask[15, 16]  # a box alone: its centre (16.5, 15.5) is the object
    _, xs = np.nonzero(obj.mask)
    assert xs.min() >= 12
    assert xs.max() < 21
    click(session, 14, 14, True, disk_segment)
    assert obj.mask[14, 14]
    box_click(session, 30, 30, disk_segment)
    with pytest.raises(InputError, match="at least 2 px apart"):
        box_click(session, 31, 30, disk_segment)


def test_brush_adds_and_erases_without_segmenting_again(session: Session) -> None:
    calls = []

    def counting(img0, img1, clicks, box=None):
        calls.append(len(clicks))
        return disk_segment(img0, img1, clicks, box)

    with pytest.raises(InputError, match="select an object first"):
        paint(
            session,
            10,
            10,
            3,
            False,
        )
    click(session, 10, 10, True, counting)
    before = session.objects[0].mask.sum()
    paint(session, 30, 30, 3, True)
    assert session.objects[0].mask[30, 30]
    paint(session, 10, 10, 2, False)
    assert not session.objects[0].mask[10, 10]
    assert session.objects[0].mask.sum() > before - 20
    assert calls == [1]  # painting never called the segmenter
    with pytest.raises(InputError, match="radius"):
        paint(session, 10, 10, 0, True)
    with pytest.raises(InputError, match="outside"):
        paint(session, 99, 10, 3, True)


def test_a_brush_alone_makes_an_object(session: Session) -> None:
    index = paint(session, 20, 20, 4, True)
    assert session.objects[index].mask.sum() == pytest.approx(np.pi * 16, rel=0.2)
    paint(session, 20, 20, 5, False)
    assert session.objects[index].mask is None  # erased to nothing: no mask


def test_undo_reverts_clicks_boxes_and_dabs_in_order(session: Session) -> None:
    click(session, 10, 10, True, disk_segment)
    first = session.objects[0].mask.copy()
    box_click(session, 2, 2, disk_segment)
    box_click(session, 12, 12, disk_segment)
    boxed = session.objects[0].mask.copy()
    paint(session, 30, 30, 3, True)
    assert undo(session).index == 0
    assert np.array_equal(session.objects[0].mask, boxed)
    assert undo(session).index == 0
    assert session.objects[0].box is None
    assert np.array_equal(session.objects[0].mask, first)
    assert undo(session).index == 0
    assert session.objects[0].mask is None
    assert undo(session) is None


def test_box_and_brush_survive_a_project_round_trip(session: Session) -> None:
    click(session, 10, 10, True, disk_segment)
    box_click(session, 2, 2, disk_segment)
    box_click(session, 20, 20, disk_segment)
    paint(session, 30, 30, 3, True)
    paint(session, 10, 10, 2, False)
    document = project_to_dict(to_project(session))
    assert document["objects"][0]["box"] == [2.0, 2.0, 21.0, 21.0]
    assert document["objects"][0]["brush"] == [[30.0, 30.0, 3.0, 1], [10.0, 10.0, 2.0, 0]]
    restored = Session()
    project = parse_project(document)
    from_project(restored, project, load_inputs(project))
    obj = restored.objects[0]
    assert np.array_equal(obj.mask, session.objects[0].mask)
    assert obj.box == session.objects[0].box
    assert obj.brush == session.objects[0].brush
    # without the saved mask, the box, clicks and brush make the same mask again
    del document["objects"][0]["mask"]
    again = load_inputs(parse_project(document), lambda a, b, clicks, box: disk_segment(a, b, clicks, box)[0])
    assert np.array_equal(again.masks[0], session.objects[0].mask)


def test_undo_restores_the_previous_mask_exactly_without_segmenting(session: Session) -> None:
    """A segmenter that never gives the same mask twice (as GrabCut's random start could): undo must not ask it."""
    rng = np.random.default_rng(1)
    calls = []

    def restless(img0, img1, clicks, box=None):
        calls.append(len(clicks))
        return rng.random(img0.shape[:2]) > 0.5, 0.5

    click(session, 10, 10, True, restless)
    first = session.objects[0].mask.copy()
    click(session, 20, 20, True, restless)
    box_click(session, 2, 2, restless)
    box_click(session, 30, 30, restless)
    assert len(calls) == 3
    undo(session)
    undo(session)
    assert np.array_equal(session.objects[0].mask, first)
    assert len(calls) == 3


def test_the_undo_history_is_bounded(session: Session) -> None:
    from interp.limits import MAX_UNDO_EDITS

    for step in range(MAX_UNDO_EDITS + 10):
        paint(session, 5 + step % 40, 5, 2, True)
    assert len(session.history) == MAX_UNDO_EDITS
    for _ in range(MAX_UNDO_EDITS):
        assert undo(session).index == 0
    assert undo(session) is None
    assert len(session.objects[0].brush) == 10  # the oldest edits stay as they are


def test_a_snapshot_is_consistent_and_independent() -> None:
    """Previews read a snapshot: taken while no edit runs, and later edits of the live session do not reach it."""
    session = Session()
    session.objects.append(SceneObject("a", clicks=[Click(1, 2)]))
    held, release, taken = threading.Event(), threading.Event(), []

    def edit() -> None:
        with session.edit_lock:
            held.set()
            release.wait(10)
            session.objects.append(SceneObject("b"))

    editing = threading.Thread(target=edit)
    editing.start()
    held.wait(10)
    reading = threading.Thread(target=lambda: taken.append(session.snapshot()))
    reading.start()
    reading.join(0.3)
    assert reading.is_alive()  # the snapshot waits for the edit in progress
    release.set()
    editing.join(10)
    reading.join(10)
    snapshot = taken[0]
    assert [o.name for o in snapshot.objects] == ["a", "b"]
    session.objects[0].clicks.append(Click(3, 4))
    session.objects.append(SceneObject("c"))
    assert [o.name for o in snapshot.objects] == ["a", "b"]
    assert snapshot.objects[0].clicks == [Click(1, 2)]
    assert snapshot.edit_lock is not session.edit_lock


def test_a_frame_of_another_shape_is_letterboxed_or_cropped_never_stretched() -> None:
    portrait = np.full((400, 300, 3), 200, np.uint8)  # issue 23: a 300x400 frame 1 for a 448x256 frame 0
    boxed, how = fit_frame(portrait, 256, 448, "letterbox")
    assert boxed.shape == (256, 448, 3)
    assert how == "letterboxed from 300x400 (scaled to 192x256, black bars left and right)"
    assert (boxed[:, :128] == 0).all()
    assert (boxed[:, 320:] == 0).all()
    assert (boxed[:, 128:320] == 200).all()  # the picture, whole and undistorted in between
    cropped, how = fit_frame(portrait, 256, 448, "crop")
    assert cropped.shape == (256, 448, 3)
    assert (cropped == 200).all()
    assert how == "cropped from 300x400 (scaled to 448x597, cut top and bottom)"
    assert fit_frame(np.zeros((128, 224, 3), np.uint8), 256, 448)[1] == "resized from 224x128"  # same shape
    with pytest.raises(InputError, match="'stretch'"):
        fit_frame(portrait, 256, 448, "stretch")


def test_replacing_frames_keeps_objects_on_the_same_frame_0_and_undo_brings_back_the_rest(session: Session) -> None:
    click(session, 10, 10, True, disk_segment)
    mask = session.objects[0].mask
    frame0, frame1 = session.img0, session.img1
    # the same frame 0 (saved again: a little noise) with a new frame 1: the object stays, and so does its history
    noisy = np.clip(frame0.astype(int) + np.random.default_rng(2).integers(-2, 3, frame0.shape), 0, 255)
    notices = set_frames(session, noisy.astype(np.uint8), frame1[::-1].copy())
    assert notices == ["new frame 1; frame 0 is the same picture: its object was kept"]
    assert session.objects[0].mask is mask
    # another frame 0: the object goes, with a notice; undo brings the frames and the object back
    notices = set_frames(session, 255 - frame0, frame1)
    assert "its object was cleared" in notices[0]
    assert "Undo brings back" in notices[0]
    assert session.objects == []
    assert undo(session).kind == "frames"
    assert np.array_equal(session.img0, noisy)
    assert session.objects[0].mask is mask
    assert undo(session).kind == "click"  # the older replacement is not kept (one old frame pair at most)
    assert undo(session) is None


def test_undo_covers_curve_edits(session: Session) -> None:
    click(session, 10, 10, True, disk_segment)
    set_curve(session, 0, Curve.preset("reverse"))
    set_curve(session, None, Curve.preset("hold"))
    set_curve(session, None, Curve.preset("hold"))  # no change: nothing to undo
    assert undo(session).index is None
    assert session.background == Curve.preset("linear")
    session.selected = None
    assert undo(session).index == 0
    assert session.objects[0].curve == Curve.preset("linear")
    assert session.selected == 0
    assert undo(session).kind == "click"


def test_loading_a_project_is_one_undoable_edit(session: Session) -> None:
    click(session, 20, 20, True, disk_segment)
    project = parse_project(project_to_dict(to_project(session, num_frames=5, fps=8.0)))
    other = Session()
    set_frames(other, *_frames(48, 64))
    paint(other, 5, 5, 3, True)
    from_project(other, project, load_inputs(project))
    assert [e.kind for e in other.history] == ["frames"]
    assert undo(other).kind == "frames"
    assert other.size == (48, 64)
    assert len(other.objects[0].brush) == 1
    assert undo(other).kind == "brush"
