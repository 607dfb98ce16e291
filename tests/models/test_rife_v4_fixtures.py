"""rife-v4 computes exactly what the published Practical-RIFE v4.25 computes (real weights, CPU float32)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from interp.engine.interpolator import Interpolator
from interp.io.images import read_image
from interp.models.registry import get_spec
from interp.models.weights import load_network
from tests.conftest import shared_path

TOLERANCE = 1e-4
CASES = [(prefix, name) for prefix in ("I0", "I1") for name in ("t0.5", "t0.25", "dmap")]


@pytest.fixture(scope="module")
def network() -> torch.nn.Module:
    return load_network(get_spec("rife-v4"))


def _inputs(prefix: str) -> tuple[np.ndarray, np.ndarray]:
    folder = shared_path("data", "interpany-demo")
    return read_image(folder / f"{prefix}_0.png"), read_image(folder / f"{prefix}_1.png")


def _time_map(name: str) -> float | np.ndarray:
    if name == "dmap":
        return np.load(shared_path("fixtures", "rife-di", "inputs_dmap.npy"))
    return float(name[1:])


@pytest.mark.parametrize(("prefix", "name"), CASES)
def test_network_matches_fixture(network: torch.nn.Module, prefix: str, name: str) -> None:
    img0, img1 = (torch.from_numpy(i.astype(np.float32) / 255).permute(2, 0, 1)[None] for i in _inputs(prefix))
    value = _time_map(name)
    time_map = torch.from_numpy(np.broadcast_to(np.float32(value), img0.shape[2:]).copy())[None, None]
    with torch.no_grad():
        out = network(img0, img1, time_map)[0].numpy()
    expected = np.load(shared_path("fixtures", "rife-v4", f"{prefix}_{name}.npy"))
    assert out.shape == expected.shape == (3, 256, 448)
    assert np.abs(out - expected).max() < TOLERANCE


@pytest.mark.parametrize(("prefix", "name"), CASES)
def test_engine_matches_fixture(network: torch.nn.Module, prefix: str, name: str) -> None:
    """The engine path (per-frame encoding reused, channels-last, batching) gives the same numbers.

    The fixtures fed RGB to the network, so the engine's BGR input order is switched off for this comparison.
    """
    spec = dataclasses.replace(get_spec("rife-v4"), bgr_input=False)
    engine = Interpolator(network, spec, device="cpu", batch_size=2)
    pair = engine.encode_pair(*_inputs(prefix))
    value = _time_map(name)
    frames = engine.render(pair, [value, 0.0, value])
    expected = np.load(shared_path("fixtures", "rife-v4", f"{prefix}_{name}.npy")).transpose(1, 2, 0)
    assert np.abs(frames[0] - expected).max() < TOLERANCE
    assert np.abs(frames[2] - expected).max() < TOLERANCE
    assert np.abs(frames[1] - expected).max() > 1e-2  # a different map gives a different frame


def test_inference_parameter_count(network: torch.nn.Module) -> None:
    assert sum(p.numel() for p in network.parameters()) == 5_664_776
