"""InterpAny-Clearer's EMA-VFI ([D] and [D,R]) loads the official layout and computes what the reference computes.

The fixtures use F = 8, depths 2, 2, 2, 2, 2; the official weights F = 32, depths 2, 2, 2, 4, 4: the size is read
from the checkpoint's shapes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from interp.errors import WeightsError
from interp.models.ema_vfi import EMAVFIDI, OFFICIAL_DEPTHS, OFFICIAL_WIDTH, ema_vfi_size
from interp.models.ema_vfi_backbone import _padding_mask, _shifted_mask
from interp.models.registry import get_spec
from interp.models.weights import load_network
from tests.models import families

LOG = "train_sdi_log/ema-vfi.pkl"


@pytest.mark.parametrize("where", ["folder", "log", "file"])
def test_d_ema_vfi_matches_reference(demo_pair, where: str) -> None:
    folder = families.model_folder("D-EMA-VFI")
    checkpoint = {"folder": folder, "log": folder / "train_sdi_log", "file": folder / LOG}[where]
    assert families.check_d_output("D-EMA-VFI", demo_pair, checkpoint) < families.TOLERANCE


def test_dr_ema_vfi_matches_reference(demo_pair) -> None:
    families.check_dr_outputs(families.rgb_engine("DR-EMA-VFI"), demo_pair)


@pytest.mark.parametrize("name", ["D-EMA-VFI", "DR-EMA-VFI"])
def test_ema_vfi_encodes_once_renders_many_and_pads_odd_sizes(demo_pair, name: str) -> None:
    families.check_engine_contract(name, demo_pair, 32)


def test_ema_vfi_is_fed_bgr(demo_pair) -> None:
    families.check_bgr_default("D-EMA-VFI", demo_pair)


def test_size_is_read_from_the_checkpoint() -> None:
    assert (
        load_network(get_spec("D-EMA-VFI"), families.model_folder("D-EMA-VFI")).feature_bone.block1.conv[0].out_channels
        == 8
    )
    assert ema_vfi_size(EMAVFIDI(width=16, depths=(2, 2, 2, 4, 4)).state_dict()) == (16, (2, 2, 2, 4, 4))
    assert (OFFICIAL_WIDTH, OFFICIAL_DEPTHS) == (32, (2, 2, 2, 4, 4))


def _state(name: str) -> dict[str, torch.Tensor]:
    return torch.load(families.model_folder(name) / LOG, weights_only=True)


def _write(tmp_path: Path, name: str, state: dict[str, torch.Tensor]) -> Path:
    path = tmp_path / name / LOG
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    return tmp_path / name


def test_runtime_mask_buffers_are_ignored_by_name(tmp_path: Path, demo_pair) -> None:
    """Trained checkpoints hold the shifted-window masks the blocks register while running; they are dropped."""
    extra = {
        "module.feature_bone.block4.1.attn_mask": torch.full((40, 49, 49), -100.0),
        "module.feature_bone.block4.1.HW": torch.tensor([1960.0]),
    }
    folder = _write(tmp_path, "D-EMA-VFI", {**_state("D-EMA-VFI"), **extra})
    assert families.check_d_output("D-EMA-VFI", demo_pair, folder) < families.TOLERANCE


def test_unexpected_key_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = _write(tmp_path, "DR-EMA-VFI", {**_state("DR-EMA-VFI"), "module.teacher.weight": torch.zeros(1)})
    with pytest.raises(WeightsError, match=r"unexpected .*teacher\.weight"):
        load_network(get_spec("DR-EMA-VFI"), folder)


def test_wrong_variant_checkpoint_is_refused() -> None:
    """The [D,R] backbone takes 7 channels per frame, the [D] one 3."""
    with pytest.raises(WeightsError, match=r"does not fit model 'DR-EMA-VFI'.*wrong shape.*block1\.conv\.0"):
        load_network(get_spec("DR-EMA-VFI"), families.model_folder("D-EMA-VFI"))


def test_shifted_window_mask_keeps_the_reference_quirk() -> None:
    """At 32 x 56 (padded to 35 x 56) the shifted blocks also mask by the *unshifted* padding layout."""
    padding = _padding_mask(32, 56, 7)
    shifted = _shifted_mask(32, 56, 7, 3)
    assert padding is not None
    assert shifted.shape == padding.shape == (40, 49, 49)
    assert bool((shifted[padding != 0] == -100).all())
    assert _padding_mask(35, 56, 7) is None
