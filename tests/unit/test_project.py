"""Project files: round trip, references, and validation errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from interp.core.curves import Curve
from interp.io.images import write_image
from interp.project.inputs import load_inputs
from interp.project.schema import (
    Click,
    Dab,
    ObjectSpec,
    Project,
    ProjectError,
    load_project,
    paint_brush,
    parse_project,
    png_data_uri,
    project_to_dict,
    save_project,
    with_overrides,
)


def _frames(folder: Path, size: tuple[int, int] = (24, 32)) -> None:
    rng = np.random.default_rng(0)
    for name in ("a.png", "b.png"):
        write_image(folder / name, rng.integers(0, 256, (*size, 3), dtype=np.uint8))


def _document(**changes) -> dict:
    document = {
        "format": "interp-project",
        "version": 1,
        "frame0": "a.png",
        "frame1": "b.png",
        "num_frames": 5,
        "fps": 8,
        "model": "rife-v4",
        "background": {"curve": [[0, 0], [1, 1]]},
        "objects": [{"name": "ball", "mask": "m.png", "curve": [[0, 0], [0.5, 1], [1, 1]]}],
    }
    document.update(changes)
    return document


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _frames(tmp_path)
    mask = np.zeros((24, 32, 3), np.uint8)
    mask[5:15, 5:15] = 255
    write_image(tmp_path / "m.png", mask)
    return tmp_path


def test_round_trip_keeps_every_field_and_unknown_extras(folder: Path) -> None:
    document = _document(renderer="maps", loop="there-and-back", iters=3, note="kept")
    document["objects"].append({"name": "car", "points": [[3, 4, 1], [10, 12, 0]], "curve": [[0, 0], [1, 0.3]]})
    (folder / "p.json").write_text(json.dumps(document))
    project = load_project(folder / "p.json")
    assert project.objects[1].points == (Click(3, 4, True), Click(10, 12, False))
    assert project.extra == {"note": "kept"}
    save_project(project, folder / "q.json")
    again = load_project(folder / "q.json")
    assert again == project
    assert project_to_dict(again)["note"] == "kept"


def test_relative_paths_and_data_uris_load_the_same_pixels(folder: Path) -> None:
    (folder / "p.json").write_text(json.dumps(_document()))
    from_files = load_inputs(load_project(folder / "p.json"))
    inline = parse_project(
        _document(
            frame0=png_data_uri(from_files.img0),
            frame1=png_data_uri(from_files.img1),
            objects=[{"name": "x", "mask": png_data_uri(from_files.masks[0]), "curve": [[0, 0], [1, 1]]}],
        )
    )
    from_uris = load_inputs(inline)
    assert np.array_equal(from_uris.img0, from_files.img0)
    assert np.array_equal(from_uris.masks[0], from_files.masks[0])
    assert from_files.masks[0].sum() == 100


def test_points_are_segmented_with_the_given_segmenter(folder: Path) -> None:
    project = parse_project(_document(objects=[{"points": [[6, 7, 1]], "curve": [[0, 0], [1, 1]]}]), folder)
    seen = []

    def box_segmenter(img0, img1, clicks, box=None):
        seen.append(clicks)
        mask = np.zeros(img0.shape[:2], bool)
        mask[int(clicks[0].y), int(clicks[0].x)] = True
        return mask

    inputs = load_inputs(project, box_segmenter)
    assert seen == [[Click(6, 7, True)]]
    assert inputs.masks[0][7, 6]
    with pytest.raises(ProjectError, match=r"objects\[0\]: has points but no segmenter"):
        load_inputs(project)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"format": "other"}, "format"),
        ({"version": 2}, "version"),
        ({"frame0": 3}, "frame0"),
        ({"num_frames": 1}, "num_frames"),
        ({"num_frames": 2.5}, "num_frames"),
        ({"fps": 0}, "fps"),
        ({"fps": "fast"}, "fps"),
        ({"model": "nope"}, "model"),
        ({"renderer": "magic"}, "renderer"),
        ({"loop": "sideways"}, "loop"),
        ({"iters": 0}, "iters"),
        ({"background": {"curve": [[0, 0], [0.2, 2], [1, 1]]}}, r"background\.curve"),
        ({"objects": [{"mask": "m.png", "curve": [[0, 0], [0.6, 1], [0.5, 1], [1, 1]]}]}, r"objects\[0\]\.curve"),
        ({"objects": [{"mask": "m.png"}]}, r"objects\[0\]\.curve"),
        ({"objects": [{"curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]"),
        ({"objects": [{"points": [[1, 2, 5]], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.points\[0\]"),
        ({"objects": "ball"}, "objects"),
        ({"objects": [{"box": [5, 5, 2, 9], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.box"),
        ({"objects": [{"box": [1, 2, 3], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.box"),
        ({"objects": [{"brush": [[1, 2, 0, 1]], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.brush\[0\]"),
        ({"objects": [{"brush": [[1, 2, 3, 2]], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.brush\[0\]"),
        ({"objects": [{"brush": [[1, 2, 3, 0]], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]"),
    ],
)
def test_bad_documents_name_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ProjectError, match=rf"project field {field}"):
        parse_project(_document(**changes))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"frame0": "missing.png"}, "frame0", "file not found"),
        ({"objects": [{"mask": "nope.png", "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.mask", "file not found"),
        ({"objects": [{"mask": "small.png", "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.mask", "is 8x8"),
        ({"objects": [{"mask": "empty.png", "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]", "mask is empty"),
        ({"objects": [{"points": [[99, 2, 1]], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.points\[0\]", "outside"),
        ({"objects": [{"box": [2, 2, 99, 5], "curve": [[0, 0], [1, 1]]}]}, r"objects\[0\]\.box", "outside"),
        ({"frame1": "corrupt.png"}, "frame1", "corrupt"),
        ({"frame1": "data:image/png;base64,AAAA"}, "frame1", "cannot be read"),
    ],
)
def test_bad_files_name_the_field(folder: Path, changes: dict, field: str, message: str) -> None:
    write_image(folder / "small.png", np.full((8, 8, 3), 255, np.uint8))
    write_image(folder / "empty.png", np.zeros((24, 32, 3), np.uint8))
    (folder / "corrupt.png").write_bytes(b"nope")
    project = parse_project(_document(**changes), folder)
    with pytest.raises(ProjectError, match=rf"project field {field}: .*{message}"):
        load_inputs(project)


def test_frames_of_different_sizes(folder: Path) -> None:
    write_image(folder / "big.png", np.zeros((30, 30, 3), np.uint8))
    with pytest.raises(ProjectError, match="project field frame1: is 30x30, frame0 is 32x24"):
        load_inputs(parse_project(_document(frame1="big.png"), folder))


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text("{not json")
    with pytest.raises(ProjectError, match="not valid JSON"):
        load_project(tmp_path / "p.json")
    with pytest.raises(ProjectError, match="no such project file"):
        load_project(tmp_path / "none.json")


def test_overrides_are_validated() -> None:
    project = Project("a.png", "b.png", objects=(ObjectSpec("x", Curve.preset("hold"), "m.png"),))
    assert with_overrides(project, num_frames=3, model=None).num_frames == 3
    with pytest.raises(ProjectError, match="num_frames"):
        with_overrides(project, num_frames=1)


def test_brush_dabs_paint_the_disks_they_describe() -> None:
    """Each dab paints only the square around its disk; the result is the disk test over the whole frame."""
    rng = np.random.default_rng(3)
    shape = (37, 53)
    dabs = [Dab(*rng.uniform(-10, 60, 2), rng.uniform(0.3, 25), bool(rng.integers(0, 2))) for _ in range(40)]
    ys, xs = np.mgrid[: shape[0], : shape[1]]
    expected = np.zeros(shape, bool)
    for dab in dabs:
        disk = (xs + 0.5 - dab.x) ** 2 + (ys + 0.5 - dab.y) ** 2 <= dab.radius**2
        expected = expected | disk if dab.add else expected & ~disk
    assert np.array_equal(paint_brush(None, dabs, shape), expected)
