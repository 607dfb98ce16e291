"""Training AMT-S, IFRNet and EMA-VFI: their losses, recipes, a few steps each, checkpoints the engine loads."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from interp.cli import main
from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.models.registry import get_spec
from interp.research.checkpoint import read_training_state
from interp.research.families import RECIPES, recipe_for
from interp.research.losses import CHARBONNIER_EPS, charbonnier, merged_laplacian_l1, ternary_loss
from interp.research.recipe import family_variant
from interp.research.schedule import WarmupCosine
from interp.research.train import LOG_NAME, TrainConfig, Trainer

#: EMA-VFI at the fixtures' small size (F = 8): the official F = 32 has 66 M parameters, too many for a CPU test.
SMALL_EMA = {"width": 8, "depths": (2, 2, 2, 2, 2)}


def test_charbonnier_is_the_epsilon_floor_for_equal_images_and_near_l1_otherwise() -> None:
    a = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    assert float(charbonnier(a, a)) == pytest.approx(math.sqrt(CHARBONNIER_EPS))
    assert float(charbonnier(a + 0.25, a)) == pytest.approx(math.sqrt(0.25**2 + CHARBONNIER_EPS), rel=1e-5)


def test_ternary_loss_is_zero_for_identical_images_and_grows_with_a_shift() -> None:
    rng = torch.Generator().manual_seed(1)
    image = torch.rand(1, 3, 32, 32, generator=rng)
    assert float(ternary_loss(image, image)) == 0.0
    # The census transform looks at local structure only: a brightness offset costs nothing.
    assert float(ternary_loss(image + 0.1, image)) < 1e-10
    shifted = torch.roll(image, shifts=2, dims=3)
    assert float(ternary_loss(shifted, image)) > 0.05
    # Only pixels whose whole 7x7 window lies inside count: the zero padding outside costs nothing.
    assert float(ternary_loss(torch.zeros(1, 3, 8, 8), torch.ones(1, 3, 8, 8))) == 0.0


def test_ternary_gradient_flows_to_the_prediction_only() -> None:
    pred = torch.rand(1, 3, 16, 16, requires_grad=True)
    target = torch.rand(1, 3, 16, 16, requires_grad=True)
    ternary_loss(pred, target).backward()
    assert pred.grad is not None
    assert float(pred.grad.abs().sum()) > 0
    assert target.grad is None


def test_ema_vfi_loss_weighs_the_merged_frames_by_half() -> None:
    rng = torch.Generator().manual_seed(2)
    gt, pred, merged = (torch.rand(1, 3, 64, 64, generator=rng) for _ in range(3))
    terms = merged_laplacian_l1(pred, [merged, merged], gt).as_floats()
    assert terms["total"] == pytest.approx(terms["l1"] + 0.5 * terms["merged"])
    assert merged_laplacian_l1(gt, [gt], gt).as_floats()["total"] == 0.0


def test_recipes_follow_the_reference_trainers() -> None:
    amt, ifrnet, ema = (recipe_for(get_spec(name)) for name in ("DR-AMT-S", "D-IFRNet", "DR-EMA-VFI"))
    assert (amt.peak_lr(24), amt.weight_decay, amt.warmup_steps(10_000), amt.crop) == (2e-4, 0.0, 0, 224)
    assert (ifrnet.peak_lr(8), ifrnet.weight_decay, ifrnet.warmup_steps(10_000)) == (1e-4, 1e-6, 0)
    assert (ema.peak_lr(32), ema.weight_decay, ema.warmup_steps(100_000), ema.crop) == (1e-4, 1e-4, 2000, 256)
    assert recipe_for(get_spec("DR-RIFE")) is RECIPES["ifnet-di"]
    # AMT-S / IFRNet: a plain cosine from the peak to lr_min (their get_lr), no warm-up.
    schedule = WarmupCosine(2e-4, total_steps=100, warmup=0, floor_ratio=0.1)
    assert schedule(0) == pytest.approx(2e-4)
    assert schedule(50) == pytest.approx(1.1e-4)
    assert schedule(100) == pytest.approx(2e-5)


def test_family_variants() -> None:
    assert family_variant("amt-s", "dr").model == "DR-AMT-S"
    assert family_variant("EMA-VFI", "D").model == "D-EMA-VFI"
    assert family_variant("RIFE", "TR").model == "TR-RIFE"
    with pytest.raises(InputError, match="D and DR variants only"):
        family_variant("IFRNet", "T")
    with pytest.raises(InputError, match="unknown model family"):
        family_variant("FILM", "D")


def _config(data: Path, out: Path, model: str, variant: str, **overrides: object) -> TrainConfig:
    defaults = {"steps": 2, "batch_size": 1, "crop": 64, "workers": 0, "val_count": 0, "log_every": 1}
    return TrainConfig(variant=variant, model=model, data=data, out=out, **(defaults | overrides))


def _renders(name: str, run: Path) -> None:
    interpolator = Interpolator.load(name, checkpoint=run, device="cpu")
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (72, 100, 3), dtype=np.uint8) for _ in range(2)]
    pair = interpolator.encode_pair(*frames)
    out = interpolator.render(pair, [0.5])
    assert out[0].shape == (72, 100, 3)


@pytest.mark.parametrize(
    ("model", "variant", "overrides", "layout"),
    [
        ("AMT-S", "DR", {"crop": 128}, "ckpts/latest.pth"),
        ("IFRNet", "DR", {}, "ckpts/latest.pth"),
        ("IFRNet", "D", {"batch_size": 2, "val_count": 1, "val_every": 2}, "ckpts/latest.pth"),
        ("EMA-VFI", "DR", {"network_params": SMALL_EMA}, "train_sdi_log/ema-vfi.pkl"),
        ("EMA-VFI", "D", {"network_params": SMALL_EMA}, "train_sdi_log/ema-vfi.pkl"),
    ],
)
def test_a_few_steps_write_a_checkpoint_the_engine_loads(
    indexed_vimeo: Path, tmp_path: Path, one_thread, model: str, variant: str, overrides: dict, layout: str
) -> None:
    run = tmp_path / f"{variant}-{model}"
    trainer = Trainer(_config(indexed_vimeo, run, model, variant, **overrides))
    result = trainer.run()
    assert result.step == 2
    assert result.loss is not None
    assert math.isfinite(result.loss)
    assert result.checkpoint == run / layout
    if trainer.val_samples:  # validated through the engine, as `interp eval` scores the run
        assert [step for step, _ in result.validations] == [0, 2]
        assert all(math.isfinite(psnr) for _, psnr in result.validations)
    name = f"{variant}-{model}"
    raw = torch.load(run / layout, weights_only=True)
    if model == "EMA-VFI":
        assert all(key.startswith("module.") for key in raw)  # the DistributedDataParallel layout
    else:
        assert {"state_dict", "optim", "epoch"} <= set(raw)
        config = yaml.safe_load((run / f"{name}.yaml").read_text())
        assert config["network"]["name"].startswith("networks.SDI-")
        if model == "AMT-S":
            assert config["network"]["params"] == {"corr_radius": 3, "corr_lvls": 4, "num_flows": 3}
    rows = list(csv.DictReader((run / LOG_NAME).open()))
    parts = ("l1", "merged") if model == "EMA-VFI" else ("charbonnier", "ternary")
    assert [r["step"] for r in rows if r["loss"]] == ["1", "2"]
    assert all(math.isfinite(float(r[p])) for r in rows if r["loss"] for p in ("loss", *parts))
    # The weights the engine loads (strictly) are the trained ones.
    _renders(name, run)
    loaded = Interpolator.load(name, checkpoint=run, device="cpu").network.state_dict()
    for key, value in trainer.network.state_dict().items():
        assert torch.equal(loaded[key], value.cpu()), key


def test_resume_continues_a_family_run(indexed_vimeo: Path, tmp_path: Path, one_thread) -> None:
    for model, overrides in (("IFRNet", {}), ("EMA-VFI", {"network_params": SMALL_EMA})):
        run = tmp_path / model
        Trainer(_config(indexed_vimeo, run, model, "DR", steps=1, **overrides)).run()
        # Resuming reads the size from the checkpoint (no network_params needed) and restores the optimiser.
        resumed = Trainer(_config(indexed_vimeo, run, model, "DR", steps=2, resume=True))
        assert resumed.step == 1
        assert resumed.optimizer.state
        assert resumed.run().step == 2
        state = read_training_state(resumed.checkpoint)
        assert (state.step, state.variant) == (2, "DR")


def test_cli_trains_amt_s_and_rejects_time_variants(indexed_vimeo: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "amt"
    args = ["train", "--model", "AMT-S", "--variant", "D", "--data", str(indexed_vimeo), "--out", str(run)]
    args += ["--steps", "1", "--batch-size", "1", "--crop", "128", "--workers", "0", "--val-count", "0"]
    before = torch.get_num_threads()
    try:
        assert main([*args, "--threads", "1"]) == 0
    finally:
        torch.set_num_threads(before)
    assert (run / "ckpts" / "latest.pth").is_file()
    assert (run / "D-AMT-S.yaml").is_file()
    assert f"--model D-AMT-S --checkpoint {run}" in capsys.readouterr().out
    bad = ["train", "--model", "AMT-S", "--variant", "T", "--data", str(indexed_vimeo), "--out", str(tmp_path / "t")]
    assert main(bad) == 2
    assert "D and DR variants only" in capsys.readouterr().err
    small = [*args[:7], "--out", str(tmp_path / "small"), "--crop", "64", "--batch-size", "1", "--val-count", "0"]
    assert main(small) == 2
    assert "D-AMT-S needs crops of at least 128 pixels" in capsys.readouterr().err
