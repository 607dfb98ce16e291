"""Checkpoint resolution and loading, on tiny seeded checkpoints written in tmp_path in the official layouts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from interp.engine.interpolator import Interpolator
from interp.errors import WeightsError
from interp.models.builders import build_network
from interp.models.ifnet_di import IFNetDI
from interp.models.paths import CHECKPOINTS_ENV, resolve_checkpoint
from interp.models.registry import MODELS, Kind, get_spec
from interp.models.weights import load_network


def _seeded_state(map_channels: int, distill: bool = True) -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    return IFNetDI(map_channels=map_channels, distill=distill).state_dict()


def _write(path: Path, payload: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, path)
    return path


def test_t_rife_bare_prefixed_state_dict_in_official_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """T-RIFE's official file is a bare state dict with DDP's ``module.`` prefix at train_m_log/flownet_m.pkl."""
    state = _seeded_state(1)
    _write(tmp_path / "RIFE/T-RIFE/train_m_log/flownet_m.pkl", {f"module.{k}": v for k, v in state.items()})
    monkeypatch.setenv(CHECKPOINTS_ENV, str(tmp_path))
    network = load_network(get_spec("T-RIFE"))
    for key, value in network.state_dict().items():
        assert torch.equal(value, state[key])
    assert not any(k.startswith("block_tea.") for k in network.state_dict())


def test_training_format_with_optimizer_loads_and_keeps_teacher_for_training(tmp_path: Path) -> None:
    state = _seeded_state(5)
    path = _write(tmp_path / "flownet_sdi.pkl", {"model": state, "optimizer": {}, "epoch": 3, "step": 10})
    network = load_network(get_spec("DR-RIFE"), path, distill=True)
    assert torch.equal(network.state_dict()["block_tea.lastconv.weight"], state["block_tea.lastconv.weight"])


def test_missing_checkpoint_error_names_file_places_and_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHECKPOINTS_ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WeightsError) as info:
        resolve_checkpoint(get_spec("DR-RIFE-pro"))
    message = str(info.value)
    assert "flownet_sdi.pkl" in message
    assert str(tmp_path / "RIFE/DR-RIFE-pro/train_sdi_log/flownet_sdi.pkl") in message
    assert "drive.google.com" in message


def test_explicit_missing_path(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match=r"searched: .*nope\.pkl"):
        resolve_checkpoint(get_spec("D-RIFE"), tmp_path / "nope.pkl")


def test_corrupt_checkpoint_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "flownet_sdi.pkl"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(WeightsError, match=r"could not read checkpoint .*flownet_sdi\.pkl"):
        load_network(get_spec("D-RIFE"), bad)


def test_non_state_dict_payload_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.pkl", {"model": {"a": 1}})
    with pytest.raises(WeightsError, match="does not hold a state dict"):
        load_network(get_spec("D-RIFE"), path)


def test_unknown_model_lists_known_names() -> None:
    with pytest.raises(ValueError, match=r"unknown model 'RIFE-9'.*rife-v4.*DR-RIFE-pro"):
        get_spec("RIFE-9", Kind.INTERPOLATOR)


def test_registry_names_are_case_insensitive_and_variants_share_one_class() -> None:
    assert get_spec("dr-rife-PRO").name == "DR-RIFE-pro"
    classes = {type(build_network(s)) for s in MODELS.values() if s.arch == "ifnet-di"}
    assert classes == {IFNetDI}


def test_tiny_tr_model_runs_iteratively_through_the_engine(tmp_path: Path) -> None:
    """A randomly initialised TR network: every iteration changes the result, output stays in [0, 1]."""
    path = _write(tmp_path / "flownet_sdi.pkl", {"model": _seeded_state(5, distill=False)})
    engine = Interpolator(load_network(get_spec("TR-RIFE"), path), get_spec("TR-RIFE"), device="cpu")
    rng = np.random.default_rng(0)
    img0, img1 = (rng.integers(0, 256, (40, 56, 3), dtype=np.uint8) for _ in range(2))
    pair = engine.encode_pair(img0, img1)
    one, two = engine.render(pair, [0.5], iters=1)[0], engine.render(pair, [0.5], iters=2)[0]
    assert one.shape == (40, 56, 3)
    assert one.min() >= 0.0
    assert one.max() <= 1.0
    assert np.abs(one - two).max() > 1e-4
