"""The outline and the edge brush in the app's session: points, closing, undo, and projects (the real tools on a
frame with one plain square object)."""

from __future__ import annotations

import numpy as np
import pytest

from interp.app.session import Session, edge_paint, from_project, outline_click, set_frames, to_project, undo
from interp.errors import InputError
from interp.project.inputs import load_inputs
from interp.project.schema import parse_project, project_to_dict
from interp.testing.masks import iou
from sam_utils.tools import MaskTools

#: The square object of ``_frames``: rows and columns 30..69 of a 100 x 120 frame.
SQUARE = (slice(30, 70), slice(30, 70))


def _frames() -> tuple[np.ndarray, np.ndarray]:
    """A grey textured background with a red square; frame 1 is the same (the tools use frame 0 only)."""
    rng = np.random.default_rng(0)
    frame = (rng.normal(110, 6, (100, 120, 3))).clip(0, 255).astype(np.uint8)
    frame[SQUARE] = (200, 40, 40)
    return frame, frame.copy()


def _truth() -> np.ndarray:
    truth = np.zeros((100, 120), bool)
    truth[SQUARE] = True
    return truth


@pytest.fixture
def session() -> Session:
    s = Session()
    set_frames(s, *_frames())
    return s


@pytest.fixture(scope="module")
def tools() -> MaskTools:
    return MaskTools()


def _outline(session: Session, tools: MaskTools, points: list[tuple[float, float]]) -> int | None:
    image = session.img0
    result = None
    for x, y in points:
        result = outline_click(
            session, x, y, lambda a, b: tools.outline_path(image, a, b), lambda paths: tools.close_outline(image, paths)
        )
    return result


def test_an_outline_snaps_closes_on_its_first_point_and_undoes(session: Session, tools: MaskTools) -> None:
    corners = [(31.0, 33.0), (66.0, 31.0), (68.0, 67.0), (33.0, 68.0)]
    assert _outline(session, tools, corners) is None  # still open
    assert session.outline.points == corners
    assert len(session.outline.paths) == 3  # between consecutive points
    assert not session.objects
    undo(session)  # an open outline loses its last point
    assert session.outline.points == corners[:3]
    assert len(session.outline.paths) == 2
    index = _outline(session, tools, [corners[3], (32.0, 34.0)])  # a click near the first point closes it
    assert index == 0
    assert not session.outline.points
    mask = session.objects[0].mask
    assert iou(mask, _truth()) >= 0.9  # the sides snapped to the square's edges
    assert len(session.objects[0].patches) == 1
    undo(session)
    assert session.objects[0].mask is None


def test_two_points_do_not_close_an_outline(session: Session, tools: MaskTools) -> None:
    assert _outline(session, tools, [(31.0, 33.0), (66.0, 31.0), (32.0, 33.0)]) is None
    assert len(session.outline.points) == 3
    with pytest.raises(InputError, match="outside"):
        _outline(session, tools, [(500.0, 3.0)])


def test_the_edge_brush_adds_and_erases_whole_regions(session: Session, tools: MaskTools) -> None:
    image = session.img0

    def region(x: float, y: float, radius: float) -> np.ndarray:
        return tools.edge_brush(image, x, y, radius)

    with pytest.raises(InputError, match="select an object first"):
        edge_paint(session, 50, 50, 6, False, region)
    index = edge_paint(session, 50, 50, 6, True, region)
    added = session.objects[index].mask
    assert added[50, 50]
    assert added.sum() > np.pi * 36  # more than the disk: whole superpixels …
    assert (added & ~_truth()).sum() <= 0.05 * added.sum()  # … that stop at the square's edge
    edge_paint(session, 50, 50, 6, False, region)
    assert session.objects[index].mask is None
    with pytest.raises(InputError, match="radius"):
        edge_paint(session, 50, 50, 0, True, region)


def test_outline_edits_survive_a_project_round_trip(session: Session, tools: MaskTools) -> None:
    _outline(session, tools, [(31.0, 33.0), (66.0, 31.0), (68.0, 67.0), (33.0, 68.0), (31.0, 33.0)])
    document = project_to_dict(to_project(session))
    assert "brush" not in document["objects"][0]  # the embedded mask holds the outline
    restored = Session()
    project = parse_project(document)
    from_project(restored, project, load_inputs(project))
    np.testing.assert_array_equal(restored.objects[0].mask, session.objects[0].mask)
