"""``python -m interp eval`` on Vimeo septuplets: uniform and distance maps, map preparation, --limit, LPIPS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from interp.cli import main
from interp.engine.interpolator import Interpolator
from interp.models.registry import get_spec
from interp.research.evaluate import discover, evaluate
from interp.research.lpips import ALEXNET, LINEAR, LPIPS, find_weights, unavailable_reason
from interp.research.maps import MapOptions, prepare_map, resize_map
from tests.conftest import shared_path

ALEXNET_FILE, LINEAR_FILE = get_spec(ALEXNET).checkpoint, get_spec(LINEAR).checkpoint


def _summary(out: str) -> str:
    return out.strip().splitlines()[-1]


def test_eval_shared_septuplets_uniform_per_position(capsys, one_thread) -> None:
    data = shared_path("data", "eval", "vimeo90k_septuplet")
    assert main(["eval", "--data", str(data), "--uniform", "--limit", "2", "-v"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert sum("00001_000" in line for line in lines) == 10  # 2 septuplets x im2..im6
    positions = [line for line in lines if line.startswith("t=")]
    assert [p.split(":")[0] for p in positions] == ["t=0.167", "t=0.333", "t=0.500", "t=0.667", "t=0.833"]
    assert "rife-v4" in lines[-1]
    assert "(2 samples, 10 frames)" in lines[-1]
    psnr = float(lines[-1].split("PSNR ")[1].split(" dB")[0])
    assert 20 < psnr < 40
    if find_weights() is None:
        assert lines[-2].startswith("LPIPS: unavailable (weights lpips-alexnet and lpips-alex-v0.1 not found")


def test_eval_uses_the_stored_half_resolution_maps(indexed_vimeo: Path, capsys, one_thread) -> None:
    interpolator = Interpolator.load("rife-v4", device="cpu")
    with_maps = discover(indexed_vimeo)[:1]
    assert with_maps[0].targets[2].distance_map == indexed_vimeo / "00001_0001" / "dis_index_0_3_6.npy"
    assert np.load(with_maps[0].targets[2].distance_map).shape == (128, 224)  # official half resolution
    uniform = discover(indexed_vimeo, uniform=True)[:1]
    figures = {
        "maps": evaluate(interpolator, with_maps).mean_psnr,
        "unblurred maps": evaluate(interpolator, with_maps, map_options=MapOptions(blur=0)).mean_psnr,
        "uniform": evaluate(interpolator, uniform).mean_psnr,
    }
    assert len(set(figures.values())) == 3, figures
    with pytest.raises(SystemExit):
        main(["eval", "--data", str(indexed_vimeo), "--blur", "4"])
    capsys.readouterr()


def test_map_preparation() -> None:
    half = np.zeros((2, 3), dtype=np.float16)
    half[0, 0] = np.nan
    half[1, 2] = 7.0
    full = prepare_map(half, 4, 6, MapOptions(blur=0), fallback=0.25)
    assert full.shape == (4, 6)
    assert full.dtype == np.float32
    assert full[0, 0] == pytest.approx(0.25)  # nan -> the time ratio
    assert full.max() == 1.0  # clipped
    assert resize_map(np.ones((8, 8)), 4, 4).shape == (4, 4)
    blurred = prepare_map(np.eye(16, dtype=np.float32), 16, 16, MapOptions(), fallback=0.5)
    assert 0 < blurred.max() < 1


def _fake_lpips_weights(folder: Path) -> None:
    from torchvision.models import alexnet

    torch.manual_seed(0)
    features = {k: v for k, v in alexnet(weights=None).state_dict().items() if k.startswith("features.")}
    torch.save(features, folder / ALEXNET_FILE)
    (folder / LINEAR_FILE).parent.mkdir(parents=True)
    widths = (64, 192, 384, 256, 256)
    torch.save({f"lin{n}.model.1.weight": torch.rand(1, c, 1, 1) for n, c in enumerate(widths)}, folder / LINEAR_FILE)


def test_lpips_only_with_its_weights(tmp_path: Path, monkeypatch, capsys, one_thread) -> None:
    monkeypatch.setenv("INTERP_CHECKPOINTS", str(tmp_path))
    if find_weights() is None:
        assert "lpips-alexnet" in unavailable_reason()
        assert LPIPS.from_checkpoints() is None
    _fake_lpips_weights(tmp_path)
    assert find_weights() == (tmp_path / ALEXNET_FILE, tmp_path / LINEAR_FILE)
    metric = LPIPS.from_checkpoints()
    rng = np.random.default_rng(0)
    a, b = rng.random((64, 64, 3)), rng.random((64, 64, 3))
    assert metric.distance(a, a) == 0.0
    assert metric.distance(a, b) > 0.0
    assert metric.distance(a, b) == pytest.approx(metric.distance(b, a))
    data = shared_path("data", "eval", "vimeo90k_septuplet")
    assert main(["eval", "--data", str(data), "--uniform", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "LPIPS: unavailable" not in out
    assert "LPIPS" in _summary(out)
