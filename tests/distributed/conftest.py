"""A two-node Ray cluster on 127.0.0.1 (Ray's own ``cluster_utils.Cluster``), one CPU per node, shared by the module.

Ray turns 127.0.0.1 into the machine's network address unless ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` is set before
it is imported; set here so every node, and the driver, stays on the loopback interface.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.video.clips import scene_frames, with_sine, write_clip

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
CLIP_FPS = 10.0


@dataclass(frozen=True)
class RayCluster:
    address: str
    node_ids: tuple[str, ...]


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[RayCluster]:
    """Two nodes of 1 CPU each, the test process connected as the driver; shut down after the tests."""
    ray = pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False},
    )
    try:
        cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        ray.init(address=cluster.address, _node_ip_address="127.0.0.1", logging_level="ERROR", log_to_driver=False)
        nodes = tuple(node["NodeID"] for node in ray.nodes() if node["Alive"])
        yield RayCluster(cluster.address, nodes)
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture(scope="session")
def cut_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25 frames at 10 fps, 96 x 64, with an AAC tone: two scene cuts and one exact repeat."""
    folder = tmp_path_factory.mktemp("ray-clip")
    frames = scene_frames(0, 12)[:9] + scene_frames(1, 8)[:5] + scene_frames(2, 10)
    frames.insert(4, frames[3])
    plain = write_clip(folder / "plain.mp4", frames, CLIP_FPS)
    return with_sine(plain, folder / "clip.mp4", len(frames) / CLIP_FPS)
