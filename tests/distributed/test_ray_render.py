"""``interp render --ray`` with several projects: each one on a Ray worker, the same files as the local path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from interp.cli import main
from interp.core.curves import Curve
from interp.io.images import read_image, write_image
from interp.testing.synthetic import make_scene
from tests.distributed.conftest import RayCluster

pytestmark = pytest.mark.slow

CPU = ["--device", "cpu"]


def _projects(folder: Path) -> Path:
    """Two small projects and a broken one in ``folder/projects``; returns that folder."""
    scene = make_scene(5, 96, 160, num_objects=1, max_motion=10)
    write_image(folder / "f0.png", scene.frame(0))
    write_image(folder / "f1.png", scene.frame(1))
    mask = scene.visible_masks()[0]
    write_image(folder / "m.png", np.repeat(mask[..., None], 3, axis=2).astype(np.uint8) * 255)
    projects = folder / "projects"
    projects.mkdir()
    for name, preset in (("hold", "hold"), ("reverse", "reverse")):
        document = {
            "format": "interp-project",
            "version": 1,
            "frame0": str(folder / "f0.png"),
            "frame1": str(folder / "f1.png"),
            "num_frames": 3,
            "objects": [{"name": "o", "mask": str(folder / "m.png"), "curve": Curve.preset(preset).to_points()}],
        }
        (projects / f"{name}.json").write_text(json.dumps(document))
    (projects / "broken.json").write_text("{not json")
    return projects


def test_several_projects_on_two_nodes_as_the_local_run(
    ray_cluster: RayCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    projects = _projects(tmp_path)
    local, distributed = tmp_path / "local", tmp_path / "ray"
    assert main(["render", str(projects), "--out", str(local), *CPU]) == 1
    capsys.readouterr()
    assert main(["render", str(projects), "--out", str(distributed), *CPU, "--ray", ray_cluster.address]) == 1
    printed = capsys.readouterr().out
    assert "2 of 3 projects rendered" in printed
    assert "broken.json: failed: " in printed
    assert "ray: 3 projects on" in printed
    assert sorted(p.name for p in distributed.iterdir()) == ["hold", "reverse"]
    for name in ("hold", "reverse"):
        frames = sorted((local / name).glob("frame_*.png"))
        assert len(frames) == 3
        for frame in frames:  # the same frames up to float rounding (the workers run torch on 1 thread, locally 2)
            difference = np.abs(read_image(frame).astype(int) - read_image(distributed / name / frame.name).astype(int))
            assert difference.max() <= 2
