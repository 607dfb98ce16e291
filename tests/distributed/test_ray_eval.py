"""``interp eval --ray``: the same figures as the local run on a two-node cluster; bad input as one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from interp.cli import main
from tests.conftest import shared_path
from tests.distributed.conftest import RayCluster
from tests.distributed.test_ray_video import _cli

pytestmark = pytest.mark.slow


def figures(printed: str) -> list[str]:
    """Every figure line of an eval run (per frame, per position, summary), without the Ray line."""
    return [line for line in printed.strip().splitlines() if not line.startswith("ray:")]


def test_two_nodes_same_figures_as_local(ray_cluster: RayCluster, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as each 1-CPU worker
    try:
        data = str(shared_path("data", "eval", "vimeo90k_septuplet"))
        args = ["eval", "--data", data, "--limit", "2", "-v", "--device", "cpu"]
        assert main(args) == 0
        local = capsys.readouterr().out
        assert main([*args, "--ray", ray_cluster.address]) == 0
        printed = capsys.readouterr().out
    finally:
        torch.set_num_threads(threads)
    assert "ray: 2 samples on 2 node(s) by 2 worker(s)" in printed  # one sequence on each node
    print(printed.strip().splitlines()[-1], "node ids:", ray_cluster.node_ids)
    assert "(2 samples, 10 frames)" in local
    assert figures(printed) == figures(local)


def test_eval_bad_input_is_one_line(tmp_path: Path) -> None:
    data = str(shared_path("data", "eval", "vimeo90k_septuplet"))
    common = ("eval", "--data", data, "--limit", "1", "--device", "cpu")
    unreachable = _cli(*common, "--ray", "127.0.0.1:9")
    assert unreachable.returncode == 2
    assert len(unreachable.stderr.strip().splitlines()) == 1
    assert "cannot reach a Ray cluster at 127.0.0.1:9" in unreachable.stderr
    missing = _cli(*common, "--ray", prelude="sys.modules['ray'] = None  # no Ray")
    assert missing.returncode == 2
    assert "--ray needs Ray: install it with pip install ray==2.60.0" in missing.stderr


def test_eval_without_a_gpu_node_is_one_line(ray_cluster: RayCluster, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(shared_path("data", "eval", "vimeo90k_septuplet"))
    assert main(["eval", "--data", data, "--limit", "1", "--device", "cuda", "--ray", ray_cluster.address]) == 2
    assert "the Ray cluster has no GPU" in capsys.readouterr().err
