"""Writing index files: naming, shapes, resume, worker processes, RAFT plumbing and the CLI's errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from interp.cli import main
from interp.errors import WeightsError
from interp.models.paths import is_present
from interp.models.registry import get_spec
from interp.research.distance_index import index_name, ordered_triples
from interp.research.flow import ChainedFlow, RaftFlow, make_estimator
from interp.research.groundtruth import SyntheticSeptuplet, exact_flow, make_septuplet
from interp.research.indexer import IndexOptions, index_dataset, index_septuplet, pending_triples
from interp.research.vimeo import Septuplet, list_septuplets
from tests.research.conftest import write_septuplet


class ExactFlow:
    """A flow estimator that returns a synthetic septuplet's exact flows."""

    name = "exact"

    def __init__(self, septuplet: SyntheticSeptuplet) -> None:
        self.septuplet = septuplet

    def flows(self, frames, pairs):
        return {(a, b): exact_flow(self.septuplet, a, b) for a, b in pairs}


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Septuplet, SyntheticSeptuplet]:
    septuplet = make_septuplet(seed=2, height=64, width=96)
    folder = write_septuplet(tmp_path / "data" / "seq", septuplet.frames)
    return Septuplet("seq", folder), septuplet


def test_writes_all_70_maps_in_the_official_naming_and_resumes(synthetic) -> None:
    folder, scene = synthetic
    options = IndexOptions(downsample=2)
    assert index_septuplet(folder, ExactFlow(scene), options) == (70, 0)
    names = sorted(p.name for p in folder.folder.glob("dis_index_*.npy"))
    assert names == sorted(index_name(*t) for t in ordered_triples(7))
    assert not list(folder.folder.glob(".*"))  # no temporary files left behind
    stored = np.load(folder.index_file(0, 3, 6))
    assert stored.dtype == np.float16
    assert stored.shape == (32, 48)
    # Resume: nothing to do; a deleted and a truncated file are redone, and only they.
    assert index_septuplet(folder, ExactFlow(scene), options) == (0, 70)
    folder.index_file(6, 3, 0).unlink()
    truncated = folder.index_file(1, 2, 3)
    truncated.write_bytes(truncated.read_bytes()[:100])
    assert sorted(pending_triples(folder, options)) == [(1, 2, 3), (6, 3, 0)]
    assert index_septuplet(folder, ExactFlow(scene), options) == (2, 68)
    assert index_septuplet(folder, ExactFlow(scene), IndexOptions(downsample=2, overwrite=True)) == (70, 0)
    # A different storage size makes every file stale.
    assert len(pending_triples(folder, IndexOptions(downsample=1))) == 70


def test_full_resolution_maps_of_exact_flows_are_consistent_both_ways(synthetic) -> None:
    folder, scene = synthetic
    index_septuplet(folder, ExactFlow(scene), IndexOptions(downsample=1, motion_prior=0.0))
    forward = np.load(folder.index_file(0, 2, 6)).astype(np.float32)
    backward = np.load(folder.index_file(6, 2, 0)).astype(np.float32)
    for layer in (-1, 0, 1, 2):  # per layer: D on frame 6's grid is 1 - D on frame 0's grid
        here_0, here_6 = scene.layers[0] == layer, scene.layers[6] == layer
        if here_0.any() and here_6.any():
            assert np.median(backward[here_6]) == pytest.approx(1 - np.median(forward[here_0]), abs=2e-3)


def test_worker_processes_give_the_same_files_as_one_process(tmp_path: Path) -> None:
    for seed in (0, 1):
        write_septuplet(tmp_path / "pool" / f"s{seed}", make_septuplet(seed, 64, 96).frames)
        write_septuplet(tmp_path / "single" / f"s{seed}", make_septuplet(seed, 64, 96).frames)
    options = IndexOptions(method="dis", downsample=2)
    pooled = index_dataset(list_septuplets(tmp_path / "pool"), options, workers=2)
    single = index_dataset(list_septuplets(tmp_path / "single"), options, workers=1)
    assert (pooled.written, pooled.kept, pooled.septuplets) == (140, 0, 2) == (single.written, 0, 2)
    for name in ("dis_index_0_3_6.npy", "dis_index_5_4_1.npy"):
        np.testing.assert_array_equal(np.load(tmp_path / "pool/s1" / name), np.load(tmp_path / "single/s1" / name))
    again = index_dataset(list_septuplets(tmp_path / "pool"), options, workers=2)
    assert (again.written, again.kept) == (0, 140)


def test_dis_is_chained_by_default_and_raft_is_not() -> None:
    assert isinstance(make_estimator("dis"), ChainedFlow)
    assert not isinstance(make_estimator("dis", chain=False), ChainedFlow)


def test_raft_runs_with_weights_from_a_checkpoints_folder(tmp_path: Path, monkeypatch) -> None:
    """The RAFT path end to end with randomly initialised weights saved where the registry looks (no download)."""
    from torchvision.models.optical_flow import raft_large

    torch.manual_seed(0)
    torch.save(raft_large(weights=None).state_dict(), tmp_path / get_spec("raft-large").checkpoint)
    monkeypatch.setenv("INTERP_CHECKPOINTS", str(tmp_path))
    raft = RaftFlow.from_registry("cpu")
    raft.iters = 2
    frames = [np.random.default_rng(n).integers(0, 255, (60, 90, 3), dtype=np.uint8) for n in range(3)]
    flows = raft.flows(frames, [(0, 1), (0, 2), (2, 0)])
    assert sorted(flows) == [(0, 1), (0, 2), (2, 0)]
    assert all(f.shape == (60, 90, 2) and f.dtype == np.float32 and np.isfinite(f).all() for f in flows.values())


@pytest.mark.skipif(is_present(get_spec("raft-large")), reason="RAFT weights are installed here")
def test_raft_without_weights_is_one_clear_line(tmp_path: Path, capsys) -> None:
    with pytest.raises(WeightsError, match=r"raft_large_C_T_SKHT_V2-ff5fadd5\.pth"):
        RaftFlow.from_registry("cpu")
    write_septuplet(tmp_path / "seq", make_septuplet(0, 64, 96).frames)
    assert main(["dataset", "index", "--root", str(tmp_path), "--flow", "raft"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "raft_large_C_T_SKHT_V2-ff5fadd5.pth" in err
    assert "https://download.pytorch.org/models/" in err
    assert not list(tmp_path.glob("seq/dis_index_*"))


def test_cli_index_auto_picks_dis_and_resumes(tmp_path: Path, capsys) -> None:
    write_septuplet(tmp_path / "a" / "0001", make_septuplet(3, 64, 96).frames)
    (tmp_path / "list.txt").write_text("a/0001\n\n")
    args = ["dataset", "index", "--root", str(tmp_path), "--list", "list.txt", "--workers", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    if not is_present(get_spec("raft-large")):
        assert "flow: OpenCV DIS" in out
        assert "chained" in out
    assert "70 maps written" in out
    assert main(args) == 0
    assert "0 maps written, 70 already present" in capsys.readouterr().out


def test_cli_errors(tmp_path: Path, capsys) -> None:
    assert main(["dataset", "index", "--root", str(tmp_path / "none")]) == 2
    assert "no such dataset folder" in capsys.readouterr().err
    assert main(["dataset", "index", "--root", str(tmp_path), "--list", "missing.txt"]) == 2
    assert "no such list file" in capsys.readouterr().err
    assert main(["dataset", "index", "--root", str(tmp_path), "--flow", "dis"]) == 2
    assert "no septuplets" in capsys.readouterr().err


def test_cli_accuracy_prints_the_errors(capsys) -> None:
    assert main(["dataset", "accuracy", "--flow", "dis", "--seeds", "1", "--height", "64", "--width", "96"]) == 0
    out = capsys.readouterr().out
    assert "70 maps of 1 synthetic 96x64 septuplets" in out
    assert "time ratio (uniform map)" in out
    assert "dis+chain (as stored)" in out
