"""``interp dataset index --ray``: byte-identical files to the local run on a two-node cluster, through a killed
worker and an interrupted driver, and bad input as one line with exit status 2."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from interp.cli import main
from tests.distributed.conftest import RayCluster
from tests.distributed.test_ray_video import _cli
from tests.research.conftest import copy_septuplets

pytestmark = pytest.mark.slow
#: DIS at half the frame size, quarter-size maps: a few seconds per septuplet on one core.
FAST = ("--flow", "dis", "--flow-scale", "0.5", "--downsample", "4")
TWO = ("00001_0001", "00002_0001")


def index_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` other than the frames, by relative path (temporary files included, so a left-over
    one shows)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".png"
    }


@pytest.fixture(scope="module")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = copy_septuplets(tmp_path_factory.mktemp("local-index"), TWO)
    assert main(["dataset", "index", "--root", str(root), *FAST, "--workers", "1"]) == 0
    files = index_files(root)
    assert len(files) == 2 * 70
    return files


def test_two_nodes_same_files_as_local(
    ray_cluster: RayCluster, local_index: dict[str, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_septuplets(tmp_path, TWO)
    assert main(["dataset", "index", "--root", str(root), *FAST, "--ray", ray_cluster.address]) == 0
    printed = capsys.readouterr().out
    assert "ray: 2 septuplets on 2 node(s) by 2 worker(s)" in printed  # one septuplet on each node
    assert "140 maps written" in printed
    print(printed.strip().splitlines()[-2], "node ids:", ray_cluster.node_ids)
    assert index_files(root) == local_index
    assert main(["dataset", "index", "--root", str(root), *FAST, "--ray", ray_cluster.address]) == 0
    assert "0 maps written, 140 already present" in capsys.readouterr().out  # nothing left: no worker started


def test_killed_worker_then_interrupted_driver_resumes_with_the_same_files(
    ray_cluster: RayCluster, local_index: dict[str, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ray

    from interp.distributed.cluster import worker_shape
    from interp.distributed.index_job import run_index_job
    from interp.research.indexer import IndexOptions
    from interp.research.vimeo import list_septuplets

    root = copy_septuplets(tmp_path, TWO)
    options = IndexOptions(method="dis", downsample=4, flow_scale=0.5)
    events: list[str] = []

    def kill_then_interrupt(done: object) -> None:
        if not events:  # the worker that finished first may hold the other septuplet: kill it, Ray retries
            events.append("killed")
            os.kill(done.pid, signal.SIGKILL)
            return
        events.append("interrupted")
        raise KeyboardInterrupt  # the driver stops (as on Ctrl-C) once the second septuplet is done

    shape = worker_shape(ray, "cpu", 1, 1.0)
    with pytest.raises(KeyboardInterrupt):
        run_index_job(ray, shape, list_septuplets(root), options, on_done=kill_then_interrupt)
    assert events == ["killed", "interrupted"]
    assert index_files(root) == local_index  # both septuplets were finished despite the killed worker
    # interrupt again before anything finished: some files of the first septuplet are kept, the run resumes
    for path in root.rglob("dis_index_*"):
        if path.name.startswith("dis_index_0_") or "00002_0001" in str(path):
            path.unlink()
    stopped: list[str] = []

    def interrupt(done: object) -> None:
        stopped.append(done.name)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_index_job(ray, shape, list_septuplets(root), options, on_done=interrupt)
    assert len(stopped) == 1
    assert main(["dataset", "index", "--root", str(root), *FAST, "--ray", ray_cluster.address]) == 0
    printed = capsys.readouterr().out
    assert "140 maps written" not in printed
    assert "already present" in printed
    assert index_files(root) == local_index


def test_index_bad_input_is_one_line(tmp_path: Path) -> None:
    root = copy_septuplets(tmp_path / "data", TWO[:1])
    unreachable = _cli("dataset", "index", "--root", str(root), *FAST, "--ray", "127.0.0.1:9")
    assert unreachable.returncode == 2
    assert len(unreachable.stderr.strip().splitlines()) == 1
    assert "cannot reach a Ray cluster at 127.0.0.1:9" in unreachable.stderr
    missing = _cli(
        "dataset", "index", "--root", str(root), *FAST, "--ray", prelude="sys.modules['ray'] = None  # no Ray"
    )
    assert missing.returncode == 2
    assert "--ray needs Ray: install it with pip install ray==2.60.0" in missing.stderr
    assert not list(root.rglob("dis_index_*"))


def test_worker_that_cannot_read_the_dataset_says_so(tmp_path: Path) -> None:
    import cv2
    import torch

    from interp.distributed.index_job import IndexWorker
    from interp.errors import InputError
    from interp.research.indexer import IndexOptions
    from interp.research.vimeo import Septuplet

    threads, cv2_threads = torch.get_num_threads(), cv2.getNumThreads()
    try:
        worker = IndexWorker(IndexOptions(method="dis"), 1)  # the actor's class, called in this process
        with pytest.raises(InputError, match=r"cannot read .*storage every node can read and write"):
            worker.index(Septuplet("gone", tmp_path / "gone"))
    finally:
        torch.set_num_threads(threads)
        cv2.setNumThreads(cv2_threads)
