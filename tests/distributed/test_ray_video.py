"""``interp video --ray``: the same MP4 as the local path, on a two-node cluster, through a killed worker, and bad
input as one line with exit status 2."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interp.cli import main
from interp.distributed.chunks import plan_chunks
from interp.engine.video import VideoOptions
from interp.io.decode import iter_frames, probe_video
from tests.distributed.conftest import RayCluster
from tests.video.clips import decode

pytestmark = pytest.mark.slow
CPU = ("--device", "cpu", "--num", "1")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if error == 0 else 10 * np.log10(255**2 / error)


@pytest.fixture(scope="module")
def local_out(cut_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "local.mp4"
    assert main(["video", "--video", str(cut_clip), "--out", str(out), *CPU]) == 0
    return out


def assert_same_video(out: Path, local: Path) -> None:
    meta, frames = decode(out)
    local_meta, local_frames = decode(local)
    assert len(frames) == len(local_frames) == 50
    assert meta["fps"] == local_meta["fps"]
    assert meta.get("audio_codec") == local_meta.get("audio_codec") == "aac"
    assert min(psnr(a, b) for a, b in zip(frames, local_frames, strict=True)) >= 45.0
    assert out.read_bytes() == local.read_bytes()  # in fact the very same file: same frames, same encoder


def test_chunks_overlap_by_their_boundary_frame(cut_clip: Path) -> None:
    chunks = list(plan_chunks(iter_frames(cut_clip), VideoOptions(), chunk_frames=6))
    assert len(chunks) >= 3
    for before, after in itertools.pairwise(chunks):
        last = before.steps[-1]
        assert after.steps[0].slot == last.next_slot  # no step lost or repeated between chunks
        if last.render:
            assert last.next_slot in before.fingerprints  # the pair across the boundary is rendered by one chunk
    assert sum(c.frame_count for c in chunks) == 50


def test_two_nodes_same_output_as_local(
    ray_cluster: RayCluster, cut_clip: Path, local_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ray.mp4"
    args = ["--video", cut_clip, "--out", out, *CPU, "--ray", ray_cluster.address, "--chunk-frames", "6"]
    assert main(["video", *map(str, args)]) == 0
    printed = capsys.readouterr().out
    assert "on 2 node(s) by 2 worker(s)" in printed  # one 1-CPU worker per node: work landed on both
    print(printed.strip().splitlines()[-1], "node ids:", ray_cluster.node_ids)
    assert_same_video(out, local_out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ray.mp4"]  # no segments left


def test_killed_worker_is_replaced_and_output_unchanged(
    ray_cluster: RayCluster, cut_clip: Path, local_out: Path, tmp_path: Path
) -> None:
    import ray

    from interp.distributed.cluster import worker_shape
    from interp.distributed.video_job import run_video_job
    from interp.distributed.workers import ModelSpec
    from interp.engine.video import plan_output

    info = probe_video(cut_clip)
    options = VideoOptions()
    killed: list[int] = []

    def kill_first_worker(done: object) -> None:
        if not killed:  # the worker that finished first has its next chunk queued: kill it mid-job
            killed.append(done.pid)
            os.kill(done.pid, signal.SIGKILL)

    shape = worker_shape(ray, "cpu", None, 1.0)
    out = tmp_path / "ray.mp4"
    result, report = run_video_job(
        ray, shape, ModelSpec("rife-v4", device="cpu"), info, plan_output(info, options), options, out,
        chunk_frames=4, on_chunk=kill_first_worker,
    )  # fmt: skip
    assert killed
    planned = len(list(plan_chunks(iter_frames(cut_clip), options, chunk_frames=4)))
    assert report.chunks == planned  # every chunk joined once, none lost
    assert result.stats.frames_out == 50
    assert_same_video(out, local_out)


def test_no_gpu_node_is_one_line(ray_cluster: RayCluster, cut_clip: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "ray.mp4"
    args = ["--video", cut_clip, "--out", out, "--device", "cuda", "--ray", ray_cluster.address]
    assert main(["video", *map(str, args)]) == 2
    assert "the Ray cluster has no GPU" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_worker_that_cannot_read_the_input_says_so(ray_cluster: RayCluster, tmp_path: Path) -> None:
    import ray

    from interp.distributed.cluster import WorkerShape
    from interp.distributed.video_job import start_workers
    from interp.distributed.workers import ModelSpec
    from interp.errors import InputError

    with pytest.raises(InputError, match=r"cannot read .*storage every node can read"):
        start_workers(ray, WorkerShape(1, 1.0, 0.0), ModelSpec("rife-v4", device="cpu"), tmp_path / "gone.mp4")


def _cli(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{prelude}\nfrom interp.cli import main\nsys.exit(main({list(args)!r}))"
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=240)


def test_unreachable_address_and_missing_ray_are_one_line(cut_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    common = ("video", "--video", str(cut_clip), "--out", str(out), "--device", "cpu")
    unreachable = _cli(*common, "--ray", "127.0.0.1:9")
    assert unreachable.returncode == 2
    assert unreachable.stderr.strip().splitlines() == [unreachable.stderr.strip().splitlines()[-1]]
    assert "cannot reach a Ray cluster at 127.0.0.1:9" in unreachable.stderr
    missing = _cli(*common, "--ray", prelude="sys.modules['ray'] = None  # as if Ray were not installed")
    assert missing.returncode == 2
    assert "--ray needs Ray: install it with pip install ray==2.60.0" in missing.stderr
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_plain_cli_does_not_import_ray() -> None:
    code = (
        "import sys\nfrom interp.cli import build_parser\nbuild_parser()\n"
        "import interp.engine.video, interp.research.evaluate, interp.research.indexer\n"
        "sys.exit(3 if 'ray' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=120).returncode == 0
    help_text = subprocess.run(
        [sys.executable, "-m", "interp", "video", "--help"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "--ray [ADDRESS]" in help_text


def test_local_ray_started_by_the_cli(cut_clip: Path, local_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "local-ray.mp4"
    run = _cli("video", "--video", str(cut_clip), "--out", str(out), *CPU, "--ray", "--chunk-frames", "8")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "chunks on 1 node(s)" in run.stdout
    assert_same_video(out, local_out)


def test_several_inputs_on_one_cluster_each_as_the_local_run(
    ray_cluster: RayCluster, cut_clip: Path, local_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two copies of the clip and a broken file in a folder: each good one comes out as the local run's file, the
    broken one is reported and the others still finish (exit status 1)."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a", "b"):
        (inputs / f"{name}.mp4").write_bytes(cut_clip.read_bytes())
    (inputs / "broken.mp4").write_text("not a video\n")
    out = tmp_path / "out"
    args = ["--video", inputs, "--out", out, *CPU, "--ray", ray_cluster.address, "--chunk-frames", "6"]
    assert main(["video", *map(str, args)]) == 1
    printed = capsys.readouterr().out
    assert "2 of 3 videos written" in printed
    assert "broken.mp4" in printed
    assert sorted(p.name for p in out.iterdir()) == ["a.mp4", "b.mp4"]
    for name in ("a", "b"):
        assert_same_video(out / f"{name}.mp4", local_out)
