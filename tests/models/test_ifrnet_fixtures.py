"""InterpAny-Clearer's IFRNet ([D] and [D,R]) loads the official layout and computes what the reference computes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from interp.errors import WeightsError
from interp.models.registry import get_spec
from interp.models.weights import load_network
from tests.models import families


def test_d_ifrnet_matches_reference(demo_pair) -> None:
    assert families.check_d_output("D-IFRNet", demo_pair) < families.TOLERANCE


def test_dr_ifrnet_matches_reference(demo_pair) -> None:
    families.check_dr_outputs(families.rgb_engine("DR-IFRNet"), demo_pair)


@pytest.mark.parametrize("name", ["D-IFRNet", "DR-IFRNet"])
def test_ifrnet_encodes_once_renders_many_and_pads_odd_sizes(demo_pair, name: str) -> None:
    families.check_engine_contract(name, demo_pair, 16)


def test_ifrnet_is_fed_bgr(demo_pair) -> None:
    families.check_bgr_default("DR-IFRNet", demo_pair)


def test_unexpected_key_is_an_error_naming_it(tmp_path: Path) -> None:
    """A stray key (here the trainer's ``optim`` flattened into the state dict) is not silently dropped."""
    state = torch.load(families.model_folder("DR-IFRNet") / "ckpts/latest.pth", weights_only=True)["state_dict"]
    path = tmp_path / "DR-IFRNet/ckpts/latest.pth"
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": {**state, "optim.lr": torch.zeros(1)}, "epoch": 3}, path)
    with pytest.raises(WeightsError, match=r"unexpected .*optim\.lr"):
        load_network(get_spec("DR-IFRNet"), tmp_path / "DR-IFRNet")


def test_wrong_variant_checkpoint_is_refused() -> None:
    with pytest.raises(WeightsError, match=r"does not fit model 'D-IFRNet'.*wrong shape.*decoder4"):
        load_network(get_spec("D-IFRNet"), families.model_folder("DR-IFRNet"))
