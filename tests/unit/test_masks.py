"""Pure mask operations on small arrays with exact expected outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interp.core.colors import object_color
from interp.errors import InputError
from interp.testing.masks import interior_point, iou
from sam_utils import masks


def _mask(rows: str) -> np.ndarray:
    """``"#."`` rows -> bool mask (``#`` is the object)."""
    return np.array([[c == "#" for c in row] for row in rows.split()], dtype=bool)


def test_union_subtract_and_iou() -> None:
    a = _mask("##.. ##.. .... ....")
    b = _mask(".#.. .##. .... ....")
    assert np.array_equal(masks.union(a, b), _mask("##.. ###. .... ...."))
    assert np.array_equal(masks.subtract(a, b), _mask("#... #... .... ...."))
    assert iou(a, b) == pytest.approx(2 / 5)
    empty = np.zeros((4, 4), bool)
    assert iou(empty, empty) == 1.0
    assert iou(a, empty) == 0.0


def test_shape_and_type_checks() -> None:
    with pytest.raises(InputError, match=r"expected 4 x 4"):
        masks.union(np.zeros((4, 4), bool), np.zeros((4, 5), bool))
    with pytest.raises(InputError, match=r"H x W bool array, got uint8"):
        masks.dilate(np.zeros((4, 4), np.uint8), 1)
    with pytest.raises(InputError, match="radius must be >= 0, got -1"):
        masks.disk(-1)


def test_disk_dilate_erode() -> None:
    assert np.array_equal(masks.disk(1), _mask(".#. ### .#."))
    point = _mask("..... ..... ..#.. ..... .....")
    assert np.array_equal(masks.dilate(point, 1), _mask("..... ..#.. .###. ..#.. ....."))
    assert np.array_equal(masks.dilate(point, 2), _mask("..#.. .###. ##### .###. ..#.."))
    assert np.array_equal(masks.dilate(point, 0), point)
    block = _mask("..... .###. .###. .###. .....")
    assert np.array_equal(masks.erode(block, 1), point)
    # pixels outside the image are background: a full mask erodes from its border
    assert np.array_equal(masks.erode(np.ones((3, 3), bool), 1), _mask("... .#. ..."))


def test_remove_small_islands_uses_four_connectivity() -> None:
    mask = _mask("##...... ##...... ........ .....#.. ......#. ........ ...###.. ........")
    # the two diagonal pixels are separate 1-pixel islands under 4-connectivity
    cleaned = masks.remove_small_islands(mask, 2)
    assert np.array_equal(cleaned, _mask("##...... ##...... ........ ........ ........ ........ ...###.. ........"))
    assert np.array_equal(masks.remove_small_islands(mask, 4), _mask("##...... ##...... " + "........ " * 6))


def test_fill_small_holes_keeps_border_background_and_big_holes() -> None:
    mask = _mask("######.. #..#.#.. ####.#.. #..#.#.. #..###.. ######.. ........ ........")
    # holes: (1,1)-(1,2) size 2; (3,1)-(4,2) size 4; (1,4)-(3,4) size 3; the right/bottom background touches the border
    assert np.array_equal(
        masks.fill_small_holes(mask, 3),
        _mask("######.. ######.. ######.. #..###.. #..###.. ######.. ........ ........"),
    )
    assert np.array_equal(masks.fill_small_holes(mask, 1), mask)
    notch = _mask("##.# #### #### ####")  # a 1-pixel gap on the border is not a hole
    assert np.array_equal(masks.fill_small_holes(notch, 5), notch)
    filled = masks.clean_mask(mask | _mask("........ " * 7 + ".......#"), min_island=2, max_hole=4)
    assert np.array_equal(filled, _mask("######.. " * 6 + "........ ........"))


def test_components_at_and_touching() -> None:
    mask = _mask("##.. ##.. ...# ...#")
    assert np.array_equal(masks.components_at(mask, [(0, 0)]), _mask("##.. ##.. .... ...."))
    assert np.array_equal(masks.components_at(mask, [(3, 3), (2, 2)]), _mask(".... .... ...# ...#"))
    assert not masks.components_at(mask, [(2, 0), (9, 9)]).any()  # background or outside: nothing
    region = _mask(".... .#.. .... ...#")
    assert np.array_equal(masks.components_touching(mask, region), mask)


def test_outline() -> None:
    block = _mask("..... .###. .###. .###. .....")
    assert np.array_equal(masks.outline(block, 1), _mask("..... .###. .#.#. .###. ....."))
    # the image border is not a boundary
    full = np.ones((3, 4), bool)
    assert not masks.outline(full, 1).any()
    with pytest.raises(InputError, match="outline width must be >= 1"):
        masks.outline(block, 0)


def test_interior_point() -> None:
    mask = _mask("........ .######. .######. .######. .######. .######. ........ ........")
    assert interior_point(mask) in {(3, 3), (4, 3)}
    assert interior_point(mask, preferred=(4.4, 2.6)) == (4, 3)  # deep enough: kept (rounded)
    assert interior_point(mask, preferred=(1, 1)) in {(3, 3), (4, 3)}  # at the edge: replaced
    assert interior_point(mask, preferred=(7, 7)) in {(3, 3), (4, 3)}  # outside: replaced
    with pytest.raises(InputError, match="empty mask"):
        interior_point(np.zeros((4, 4), bool))


def test_overlay_fills_and_outlines_in_the_object_palette() -> None:
    image = np.zeros((5, 5, 3), np.uint8)
    first = _mask("..... .###. .###. .###. .....")
    second = _mask("....# ..... ..... ..... .....")
    drawn = masks.overlay(image, [first, second], alpha=0.5, outline_width=1)
    assert tuple(drawn[1, 1]) == object_color(0)  # outline: the full colour
    assert tuple(drawn[2, 2]) == tuple(round(0.5 * c) for c in object_color(0))  # inside: blended
    assert tuple(drawn[0, 4]) == object_color(1)  # a 1-pixel mask is all outline
    assert tuple(drawn[0, 0]) == (0, 0, 0)
    assert drawn.dtype == np.uint8
    assert image.max() == 0
    custom = masks.overlay(image, [first], colors=[(10, 20, 30)], alpha=1.0, outline_width=0)
    assert tuple(custom[2, 2]) == (10, 20, 30)
    with pytest.raises(InputError, match="one colour per mask"):
        masks.overlay(image, [first], colors=[])
    with pytest.raises(InputError, match="alpha must be in"):
        masks.overlay(image, [first], alpha=1.5)


def test_png_round_trip_is_255_for_the_object(tmp_path: Path) -> None:
    mask = _mask("#... .##. .... ...#")
    path = masks.write_mask_png(tmp_path / "sub" / "mask.png", mask)
    stored = np.asarray(Image.open(path))
    assert stored.dtype == np.uint8
    assert stored.shape == (4, 4)
    assert set(np.unique(stored)) == {0, 255}
    assert np.array_equal(masks.read_mask_png(path), mask)
    assert list((tmp_path / "sub").iterdir()) == [path]  # no temporary file left behind
    with pytest.raises(InputError, match=r"must be a \.png"):
        masks.write_mask_png(tmp_path / "mask.jpg", mask)


def test_read_mask_png_variants(tmp_path: Path) -> None:
    grey = np.array([[0, 100], [128, 255]], np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    assert np.array_equal(masks.read_mask_png(tmp_path / "grey.png"), np.array([[False, False], [True, True]]))
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 3] = [[0, 255], [255, 0]]  # a used alpha channel is the mask
    Image.fromarray(rgba).save(tmp_path / "alpha.png")
    assert np.array_equal(masks.read_mask_png(tmp_path / "alpha.png"), np.array([[False, True], [True, False]]))
    opaque = np.full((2, 2, 4), 255, np.uint8)
    opaque[0, 0, :3] = 0  # fully opaque: the grey level decides
    Image.fromarray(opaque).save(tmp_path / "opaque.png")
    assert np.array_equal(masks.read_mask_png(tmp_path / "opaque.png"), np.array([[False, True], [True, True]]))
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(InputError, match="cannot read mask"):
        masks.read_mask_png(tmp_path / "bad.png")
    with pytest.raises(InputError, match="no such mask file"):
        masks.read_mask_png(tmp_path / "none.png")
