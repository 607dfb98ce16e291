"""The InterpAny-Clearer RIFE family loads the official layout and computes what the reference computes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from interp.engine.interpolator import Interpolator, Reference
from interp.models.registry import get_spec
from interp.models.weights import load_network
from tests.conftest import shared_path

TOLERANCE = 1e-4


def _fixture(*parts: str) -> Path:
    return shared_path("fixtures", "rife-di", *parts)


def _engine(name: str, checkpoint: Path) -> Interpolator:
    # The fixtures fed RGB; switch the engine's BGR input order off to compare.
    spec = dataclasses.replace(get_spec(name), bgr_input=False)
    return Interpolator(load_network(spec, checkpoint), spec, device="cpu", batch_size=2)


@pytest.fixture(scope="module")
def dmap() -> np.ndarray:
    return np.load(_fixture("inputs_dmap.npy"))


def _expected(*parts: str) -> np.ndarray:
    return np.load(_fixture(*parts)).transpose(1, 2, 0)


@pytest.mark.parametrize("checkpoint", ["D-RIFE", "D-RIFE/train_sdi_log", "D-RIFE/train_sdi_log/flownet_sdi.pkl"])
def test_d_rife_matches_reference(demo_pair, dmap: np.ndarray, checkpoint: str) -> None:
    """A model folder, its log folder or the .pkl itself all load (as a user may point --checkpoint at any)."""
    engine = _engine("D-RIFE", _fixture(checkpoint))
    frame = engine.render(engine.encode_pair(*demo_pair), [dmap])[0]
    assert np.abs(frame - _expected("D-RIFE", "out.npy")).max() < TOLERANCE


@pytest.fixture(scope="module")
def dr_engine() -> Interpolator:
    return _engine("DR-RIFE", _fixture("DR-RIFE"))


def test_dr_rife_iterative_two(demo_pair, dmap: np.ndarray, dr_engine: Interpolator) -> None:
    frame = dr_engine.render(dr_engine.encode_pair(*demo_pair), [dmap], iters=2)[0]
    assert np.abs(frame - _expected("DR-RIFE", "out_iters2.npy")).max() < TOLERANCE


def test_dr_rife_iterative_three_with_reference(demo_pair, dmap: np.ndarray, dr_engine: Interpolator) -> None:
    img0, img1 = demo_pair
    reference = Reference(image=(img0.astype(np.float32) + img1.astype(np.float32)) / 2 / 255, map=0.5)
    frames = dr_engine.render(dr_engine.encode_pair(img0, img1), [dmap, dmap], iters=3, reference=reference)
    for frame in frames:
        assert np.abs(frame - _expected("DR-RIFE", "out_iters3_ref.npy")).max() < TOLERANCE


def test_dr_rife_single_pass(demo_pair, dmap: np.ndarray, dr_engine: Interpolator) -> None:
    """``iters=1`` is one pass with the condition ``[d, 0, img0]`` (the reference's ``iters=0`` call)."""
    frame = dr_engine.render(dr_engine.encode_pair(*demo_pair), [dmap], iters=1)[0]
    assert np.abs(frame - _expected("DR-RIFE", "out_iters0.npy")).max() < TOLERANCE


def test_dr_rife_network_directly(demo_pair, dmap: np.ndarray) -> None:
    """The bare network with the 5-channel condition, no engine in between."""
    network = load_network(get_spec("DR-RIFE"), _fixture("DR-RIFE"))
    img0, img1 = (torch.from_numpy(i.astype(np.float32) / 255).permute(2, 0, 1)[None] for i in demo_pair)
    d = torch.from_numpy(dmap)[None, None]
    with torch.no_grad():
        out = network(img0, img1, torch.cat([d, torch.zeros_like(d), img0], 1))[0].numpy().transpose(1, 2, 0)
    assert np.abs(out - _expected("DR-RIFE", "out_iters0.npy")).max() < TOLERANCE


def test_wrong_variant_checkpoint_is_refused() -> None:
    """A D (1-channel) checkpoint given to a DR (5-channel) model fails with a clear error, not a stack trace."""
    from interp.errors import WeightsError

    with pytest.raises(WeightsError, match=r"does not fit model 'DR-RIFE'.*wrong shape"):
        load_network(get_spec("DR-RIFE"), _fixture("D-RIFE"))
