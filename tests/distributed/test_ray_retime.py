"""``interp render --ray`` on a clip project: objects followed once, output frames in chunks on two Ray nodes, the
local run's frames (up to rounding)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from interp.cli import main
from interp.distributed.retime_job import plan_ranges
from interp.io.images import read_image, write_image
from interp.testing.synthetic import make_clip
from sam_utils.masks import write_mask_png
from tests.distributed.conftest import RayCluster

pytestmark = pytest.mark.slow


def test_ranges_cover_the_output_once() -> None:
    ranges = plan_ranges(50, 2)
    assert ranges[0][0] == 0
    assert ranges[-1][1] == 50
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert min(stop - start for start, stop in ranges[:-1]) >= 8
    assert plan_ranges(5, 4) == [(0, 5)]


def test_chunks_on_ray_give_the_local_frames(ray_cluster: RayCluster, tmp_path) -> None:
    clip = make_clip(seed=6, num_frames=8, height=96, width=160)
    for k in range(8):
        write_image(tmp_path / "clip" / f"{k:04d}.png", clip.frame(k))
    write_mask_png(tmp_path / "given.png", clip.masks(0)[0])
    document = {
        "format": "interp-project",
        "version": 2,
        "video": "clip",
        "num_frames": 20,
        "objects": [{"name": "slow", "frame": 0, "mask": "given.png", "curve": [[0, 0], [1, 0.5]]}],
    }
    project = tmp_path / "clip.json"
    project.write_text(json.dumps(document))
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert main(["render", str(project), "--out", str(local)]) == 0
    assert main(["render", str(project), "--out", str(remote), "--ray", ray_cluster.address, "--ray-workers", "2"]) == 0
    for j in range(20):  # up to rounding: the workers run torch on fewer threads than the local run
        name = f"frame_{j:04d}.png"
        difference = np.abs(read_image(local / name).astype(int) - read_image(remote / name))
        assert difference.max() <= 3, name
        assert difference.mean() < 0.05, name
    assert not [p for p in tmp_path.iterdir() if ".ray-" in p.name]
