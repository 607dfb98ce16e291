"""The training loop: loss, schedule, one step on a fixed batch, checkpoints in the official layout, resume, CLI."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate

from interp.cli import main
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.models.builders import build_network
from interp.models.registry import get_spec
from interp.models.weights import load_network
from interp.research.checkpoint import read_training_state
from interp.research.dataset import SeptupletTriplets, to_tensors
from interp.research.losses import laplacian_l1, laplacian_pyramid
from interp.research.recipe import VARIANTS
from interp.research.schedule import WarmupCosine, default_peak_lr, default_warmup
from interp.research.train import LOG_NAME, TrainConfig, Trainer, batch_loss, make_optimizer, to_batch, train_step
from interp.research.vimeo import list_septuplets
from tests.research.conftest import copy_septuplets


def test_laplacian_loss() -> None:
    rng = torch.Generator().manual_seed(0)
    a, b = torch.rand(2, 3, 64, 64, generator=rng), torch.rand(2, 3, 64, 64, generator=rng)
    bands = laplacian_pyramid(a)
    assert [band.shape[-1] for band in bands] == [64, 32, 16, 8, 4]
    assert float(laplacian_l1(a, a)) == 0.0
    assert float(laplacian_l1(a, b)) > 0.1
    # Band-pass levels only (as the reference's LapLoss): a constant offset is invisible to it.
    assert float(laplacian_l1(a + 0.1, a)) < 1e-6
    with pytest.raises(ValueError, match="multiples of 32"):
        laplacian_pyramid(torch.rand(1, 3, 48, 48))


def test_warmup_cosine_schedule() -> None:
    schedule = WarmupCosine(peak=3e-4, total_steps=1000, warmup=100)
    assert schedule(0) == pytest.approx(3e-6)
    assert schedule(99) == pytest.approx(3e-4)
    values = [schedule(s) for s in range(100, 1000)]
    assert all(x >= y for x, y in itertools.pairwise(values))
    assert values[-1] == pytest.approx(3e-6, rel=0.01)
    assert default_peak_lr(16) == pytest.approx(7.5e-5)  # 3e-4 for 4 GPUs x 16
    assert default_warmup(100_000) == 2000
    assert default_warmup(50) == 5
    with pytest.raises(InputError, match="warmup"):
        WarmupCosine(1e-4, total_steps=10, warmup=11)


def test_a_step_changes_the_weights_and_the_fixed_batch_loss_goes_down(indexed_vimeo: Path, one_thread) -> None:
    dataset = SeptupletTriplets(list_septuplets(indexed_vimeo), VARIANTS["DR"], crop=(64, 64))
    rng = np.random.default_rng(0)
    batch = to_batch(default_collate([to_tensors(dataset.sample(i, rng)) for i in (0, 1)]), torch.device("cpu"))
    assert batch.cond.shape == (2, 5, 64, 64)
    torch.manual_seed(0)
    network = build_network(get_spec("DR-RIFE"), distill=True)
    optimizer = make_optimizer(network)
    before = {k: v.clone() for k, v in network.state_dict().items()}
    start = batch_loss(network, batch).as_floats()["total"]
    train_step(network, optimizer, batch, lr=1e-3)
    changed = [k for k, v in network.state_dict().items() if not torch.equal(v, before[k])]
    assert len(changed) > 0.9 * len(before)
    for _ in range(11):
        train_step(network, optimizer, batch, lr=1e-3)
    end = batch_loss(network, batch).as_floats()["total"]
    assert end < 0.6 * start, (start, end)


def _config(data: Path, out: Path, **overrides: object) -> TrainConfig:
    defaults = {"steps": 2, "batch_size": 2, "crop": 64, "workers": 0, "val_count": 1, "val_every": 2}
    return TrainConfig(variant="DR", data=data, out=out, log_every=1, val_iters=1, **(defaults | overrides))


def test_checkpoints_in_the_official_layout_load_in_the_app_and_resume(
    indexed_vimeo: Path, tmp_path: Path, one_thread, capsys
) -> None:
    run = tmp_path / "run"
    trainer = Trainer(_config(indexed_vimeo, run))
    assert (len(trainer.train_set), len(trainer.val_set)) == (2, 1)
    result = trainer.run()
    path = run / "train_sdi_log" / "flownet_sdi.pkl"
    assert result.checkpoint == path
    assert [step for step, _ in result.validations] == [0, 2]
    state = read_training_state(path)
    assert (state.step, state.variant) == (2, "DR")
    assert any(k.startswith("block_tea.") for k in state.model)
    assert set(torch.load(path, weights_only=True)) == {"model", "optimizer", "epoch", "step", "variant"}
    # The app's loader takes the run folder and drops the training-only teacher.
    network = load_network(get_spec("DR-RIFE"), run)
    for key, value in network.state_dict().items():
        assert torch.equal(value, trainer.network.state_dict()[key].cpu())
    interpolator = Interpolator.load("DR-RIFE", checkpoint=run, device="cpu")
    pair = interpolator.encode_pair(np.zeros((64, 96, 3), np.uint8), np.full((64, 96, 3), 255, np.uint8))
    assert interpolator.render(pair, [0.5])[0].shape == (64, 96, 3)
    frames = sorted((indexed_vimeo / "00001_0001").glob("im[17].png"))
    args = ["image", "--model", "DR-RIFE", "--checkpoint", run, "--img0", frames[0], "--img1", frames[1]]
    assert main([str(a) for a in [*args, "--out", tmp_path / "out", "--time", "0.5"]]) == 0
    assert (tmp_path / "out" / "t0.5000.png").is_file()
    # Continuing needs --resume; with it, model, optimiser and step come back.
    with pytest.raises(InputError, match="already holds a checkpoint"):
        Trainer(_config(indexed_vimeo, run))
    resumed = Trainer(_config(indexed_vimeo, run, steps=3, resume=True))
    assert resumed.step == 2
    assert resumed.optimizer.state  # Adam moments restored
    assert resumed.run().step == 3
    rows = list(csv.DictReader((run / LOG_NAME).open()))
    assert [r["step"] for r in rows if r["loss"]] == ["1", "2", "3"]
    assert [r["step"] for r in rows if r["val_psnr"]] == ["0", "2", "3"]
    # --init starts a new run from these weights.
    fresh = Trainer(_config(indexed_vimeo, tmp_path / "run2", init=path))
    assert torch.equal(fresh.network.block0.conv0[0][0].weight, resumed.network.block0.conv0[0][0].weight)
    with pytest.raises(InputError, match="--resume: no checkpoint"):
        Trainer(_config(indexed_vimeo, tmp_path / "run3", resume=True))


def test_cli_trains_t_into_the_m_layout(indexed_vimeo: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "t-run"
    args = ["train", "--variant", "T", "--data", str(indexed_vimeo), "--out", str(run), "--steps", "1"]
    args += ["--batch-size", "2", "--crop", "64", "--workers", "0", "--val-count", "0", "--threads", "1"]
    before = torch.get_num_threads()
    try:
        assert main(args) == 0
    finally:
        torch.set_num_threads(before)
    out = capsys.readouterr().out
    assert "3 training / 0 validation septuplets" in out
    assert (run / "train_m_log" / "flownet_m.pkl").is_file()
    load_network(get_spec("T-RIFE"), run)


def test_cli_names_missing_index_files_and_the_command(tmp_path: Path, capsys) -> None:
    root = copy_septuplets(tmp_path / "data", ("00002_0005", "00002_0006"))
    assert main(["train", "--variant", "D", "--data", str(root), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "dis_index_0_1_2.npy" in err
    assert f"python -m interp dataset index --root {root}" in err
    assert main(["train", "--variant", "T", "--data", str(root), "--batch-size", "4", "--val-count", "0"]) == 2
    assert "batch size 4 is larger than the 2 septuplets" in capsys.readouterr().err
