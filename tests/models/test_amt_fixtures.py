"""InterpAny-Clearer's AMT-S ([D] and [D,R]) loads the official layout and computes what the reference computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from interp.errors import WeightsError
from interp.models.amt import AMTDI
from interp.models.registry import get_spec
from interp.models.weights import load_network
from tests.models import families


@pytest.mark.parametrize("where", ["folder", "ckpts", "file"])
def test_d_amt_matches_reference(demo_pair, where: str) -> None:
    """The model folder (as the reference's --checkpoint), its ckpts/ folder or the .pth itself all load."""
    folder = families.model_folder("D-AMT-S")
    checkpoint = {"folder": folder, "ckpts": folder / "ckpts", "file": folder / "ckpts/latest.pth"}[where]
    assert families.check_d_output("D-AMT-S", demo_pair, checkpoint) < families.TOLERANCE


@pytest.mark.parametrize("name", ["D-AMT-S", "DR-AMT-S"])
def test_amt_encodes_once_and_renders_many(demo_pair, name: str) -> None:
    families.check_encode_once_render_many(name, demo_pair)


def test_dr_amt_matches_reference(demo_pair) -> None:
    families.check_dr_outputs(families.rgb_engine("DR-AMT-S"), demo_pair)


@pytest.mark.parametrize("name", ["D-AMT-S", "DR-AMT-S"])
def test_amt_odd_sizes_pad_centred_and_crop_back(demo_pair, name: str) -> None:
    families.check_odd_size(name, demo_pair, 16)


@pytest.mark.parametrize("name", ["D-AMT-S", "DR-AMT-S"])
def test_amt_is_fed_bgr(demo_pair, name: str) -> None:
    families.check_bgr_default(name, demo_pair)


def _copy_model(tmp_path: Path, name: str, state: dict[str, torch.Tensor], params: dict | None = None) -> Path:
    folder = tmp_path / "AMT-S" / name
    (folder / "ckpts").mkdir(parents=True)
    config = {"exp_name": name, "network": {"name": "networks.SDI-AMT-S.Model", "params": params or {}}}
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(config))
    torch.save({"state_dict": state}, folder / "ckpts/latest.pth")
    return folder


def test_unexpected_key_is_an_error_naming_it(tmp_path: Path) -> None:
    state = torch.load(families.model_folder("D-AMT-S") / "ckpts/latest.pth", weights_only=True)["state_dict"]
    folder = _copy_model(tmp_path, "D-AMT-S", {**state, "decoder9.weight": torch.zeros(1)})
    with pytest.raises(WeightsError, match=r"unexpected .*decoder9\.weight"):
        load_network(get_spec("D-AMT-S"), folder)


def test_wrong_variant_checkpoint_is_refused() -> None:
    with pytest.raises(WeightsError, match=r"does not fit model 'DR-AMT-S'.*wrong shape.*decoder4"):
        load_network(get_spec("DR-AMT-S"), families.model_folder("D-AMT-S"))


def test_yaml_params_size_the_network(tmp_path: Path) -> None:
    """``network.params`` of the model folder's YAML build the network (here a 2-level, radius-2 correlation)."""
    torch.manual_seed(0)
    state = AMTDI(corr_radius=2, corr_lvls=2, num_flows=2).state_dict()
    params = {"corr_radius": 2, "corr_lvls": 2, "num_flows": 2}
    network = load_network(get_spec("D-AMT-S"), _copy_model(tmp_path, "D-AMT-S", state, params))
    assert (network.radius, network.levels, network.num_flows) == (2, 2, 2)
    with pytest.raises(WeightsError, match="wrong shape"):
        load_network(get_spec("D-AMT-S"), _copy_model(tmp_path / "other", "D-AMT-S", state, {}))


def test_small_frames_pad_up_to_a_finite_correlation_pyramid(demo_pair) -> None:
    """Under 128 px a 4-level pyramid would reach 1 pixel (the reference divides by zero there and returns NaN)."""
    img0, img1 = (image[:97, :161] for image in demo_pair)
    engine = families.rgb_engine("D-AMT-S")
    frame = engine.render(engine.encode_pair(img0, img1), [0.5])[0]
    assert frame.shape == (97, 161, 3)
    assert np.isfinite(frame).all()
