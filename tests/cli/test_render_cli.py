"""``python -m interp render`` on a synthetic project: objects land where the ground truth says."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interp.cli import main
from interp.core.curves import Curve, output_times
from interp.io.images import read_image, write_image
from interp.project.requests import shared_segmenter
from interp.testing.position_error import placement_errors
from interp.testing.synthetic import make_scene

CURVES = ("reverse", "arrive early")


@pytest.fixture(scope="module")
def synthetic_project(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("project")
    scene = make_scene(21, 128, 224, num_objects=2, max_motion=16, background_motion=(0.0, 0.0))
    write_image(folder / "f0.png", scene.frame(0))
    write_image(folder / "f1.png", scene.frame(1))
    objects = []
    for index, (mask, preset) in enumerate(zip(scene.visible_masks(), CURVES, strict=True)):
        write_image(folder / f"m{index}.png", np.repeat(mask[..., None], 3, axis=2).astype(np.uint8) * 255)
        objects.append({"name": f"o{index}", "mask": f"m{index}.png", "curve": Curve.preset(preset).to_points()})
    document = {
        "format": "interp-project",
        "version": 1,
        "frame0": "f0.png",
        "frame1": "f1.png",
        "num_frames": 3,
        "fps": 6,
        "background": {"curve": [[0, 0], [1, 0]]},
        "objects": objects,
    }
    (folder / "project.json").write_text(json.dumps(document))
    return folder / "project.json", scene


def test_render_places_objects_on_their_curves(synthetic_project, tmp_path: Path) -> None:
    project, scene = synthetic_project
    out = tmp_path / "out"
    assert (
        main(
            [
                "render",
                str(project),
                "--out",
                str(out),
                "--num-frames",
                "5",
                "--gif",
                "--mp4",
                "--loop",
                "there-and-back",
            ]
        )
        == 0
    )
    frames = sorted(out.glob("frame_*.png"))
    assert [f.name for f in frames] == [f"frame_{i:04d}.png" for i in range(5)]
    times = output_times(5)
    errors = []
    for path, t in zip(frames, times, strict=True):
        distances = [float(Curve.preset(p)(t)) for p in CURVES]
        exact = scene.render(distances, 0.0)
        errors += [e for e in placement_errors(read_image(path), exact, scene.visible_masks(distances, 0.0)) if e]
    assert len(errors) >= 8
    assert np.median(errors) < 1.0
    assert max(errors) < 2.5
    with Image.open(out / "interp.gif") as gif:
        assert gif.n_frames == 8  # there and back without repeating the turning frames


def test_bad_project_writes_nothing(synthetic_project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, _ = synthetic_project
    document = json.loads(project.read_text())
    document["objects"][0]["curve"] = [[0, 0], [0.7, 1], [0.3, 1], [1, 1]]
    bad = project.parent / "bad.json"
    bad.write_text(json.dumps(document))
    out = tmp_path / "out"
    assert main(["render", str(bad), "--out", str(out)]) == 2
    assert "project field objects[0].curve" in capsys.readouterr().err
    assert not out.exists()
    assert main(["render", str(project), "--out", str(out), "--num-frames", "1"]) == 2
    assert "num_frames" in capsys.readouterr().err
    assert not out.exists()


def test_objects_given_by_clicks_are_segmented(synthetic_project, tmp_path: Path, capsys) -> None:
    """Without a mask file, an object's points are segmented when the project loads (fallback: no SAM weights)."""
    project, scene = synthetic_project
    document = json.loads(project.read_text())
    x, y = scene.centres()[1]
    document["objects"] = [{"name": "clicked", "points": [[x, y, 1]], "curve": Curve.preset("hold").to_points()}]
    document["background"] = {"curve": Curve.preset("linear").to_points()}
    clicked = project.parent / "clicked.json"
    clicked.write_text(json.dumps(document))
    shared_segmenter.cache_clear()
    assert main(["render", str(clicked), "--out", str(tmp_path / "out"), "--num-frames", "3"]) == 0
    assert "clicked objects segmented with fallback" in capsys.readouterr().out
    assert main(["render", str(clicked), "--out", str(tmp_path / "again"), "--num-frames", "3"]) == 0
    assert shared_segmenter.cache_info().misses == 1  # one segmenter for both renders (SAM would load once)
    middle = read_image(tmp_path / "out" / "frame_0001.png")
    exact = scene.render([0.5, 0.0], 0.5)  # object 0 is background (linear); the clicked object 1 is held
    errors = [e for e in placement_errors(middle, exact, scene.visible_masks([0.5, 0.0], 0.5)) if e is not None]
    assert len(errors) == 2
    assert max(errors) < 1.5


def test_a_folder_of_projects_renders_each_into_its_own_folder(synthetic_project, tmp_path: Path, capsys) -> None:
    """Two projects and a broken one: each good one is written to --out/NAME/ as a single render writes it, the
    broken one is reported and the others still render (exit status 1)."""
    project, _ = synthetic_project
    document = json.loads(project.read_text())
    here = project.parent  # the frames and masks stay where they are: the documents name them by absolute path
    document["frame0"], document["frame1"] = str(here / document["frame0"]), str(here / document["frame1"])
    for obj in document["objects"]:
        obj["mask"] = str(here / obj["mask"])
    folder = tmp_path / "projects"
    folder.mkdir()
    for name, frames in (("first", 3), ("second", 4)):
        (folder / f"{name}.json").write_text(json.dumps({**document, "num_frames": frames}))
    (folder / "broken.json").write_text("{not json")
    out = tmp_path / "out"
    assert main(["render", str(folder), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "broken.json: failed: " in printed
    assert "2 of 3 projects rendered" in printed
    assert len(list((out / "first").glob("frame_*.png"))) == 3
    assert len(list((out / "second").glob("frame_*.png"))) == 4
    assert not (out / "broken").exists()
    single = tmp_path / "single"
    assert main(["render", str(folder / "first.json"), "--out", str(single)]) == 0
    for frame in sorted(single.glob("frame_*.png")):
        assert np.array_equal(read_image(frame), read_image(out / "first" / frame.name))
