"""``interp track --ray``: the runs of a clip on two Ray nodes give exactly the local masks."""

from __future__ import annotations

import numpy as np
import pytest

from interp.cli import main
from sam_utils.masks import read_mask_png, write_mask_png
from tests.clip.conftest import make_clip
from tests.distributed.conftest import RayCluster

pytestmark = pytest.mark.slow


def test_runs_on_ray_match_the_local_masks(ray_cluster: RayCluster, tmp_path):
    clip = make_clip(tmp_path / "clip")
    first = write_mask_png(tmp_path / "m2.png", clip.masks[2])
    second = write_mask_png(tmp_path / "m8.png", clip.masks[8])
    given = ["--frame", "2", "--mask", str(first), "--frame", "8", "--mask", str(second)]
    local, remote = tmp_path / "local", tmp_path / "ray"
    assert main(["track", "--video", str(clip.folder), *given, "--out", str(local), "--quiet"]) == 0
    ray = ["--ray", ray_cluster.address, "--ray-workers", "2"]
    assert main(["track", "--video", str(clip.folder), *given, "--out", str(remote), "--quiet", *ray]) == 0
    for k in range(len(clip.frames)):
        name = f"mask_{k:04d}.png"
        assert np.array_equal(read_mask_png(local / name), read_mask_png(remote / name)), name
