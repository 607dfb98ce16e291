"""Engine behaviour that does not depend on trained weights: padding, batching, maps, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from interp.engine.interpolator import Interpolator
from interp.errors import InputError
from interp.models.builders import build_network
from interp.models.registry import get_spec


@pytest.fixture(scope="module")
def engine() -> Interpolator:
    torch.manual_seed(0)
    spec = get_spec("rife-v4")
    return Interpolator(build_network(spec), spec, device="cpu", batch_size=2)


@pytest.fixture(scope="module")
def frames() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (45, 71, 3), dtype=np.uint8), rng.integers(0, 256, (45, 71, 3), dtype=np.uint8)


def test_odd_sizes_are_padded_and_cropped_back(engine: Interpolator, frames) -> None:
    pair = engine.encode_pair(*frames)
    assert pair.frame0.tensor.shape[2:] == (64, 128)
    out = engine.render(pair, [0.3])[0]
    assert out.shape == (45, 71, 3)
    assert out.dtype == np.float32
    assert out.min() >= 0.0
    assert out.max() <= 1.0


def test_constant_and_array_maps_take_the_same_path(engine: Interpolator, frames) -> None:
    pair = engine.encode_pair(*frames)
    by_float, by_array = engine.render(pair, [0.25, np.full((45, 71), 0.25, np.float32)])
    assert np.abs(by_float - by_array).max() < 1e-6


def test_batching_does_not_change_results(engine: Interpolator, frames) -> None:
    pair = engine.encode_pair(*frames)
    maps = [0.1, 0.5, 0.9]
    single = Interpolator(engine.network, engine.spec, device="cpu", batch_size=1)
    batched = engine.render(pair, maps)
    one_by_one = single.render(single.encode_pair(*frames), maps)
    for a, b in zip(batched, one_by_one, strict=True):
        assert np.abs(a - b).max() < 1e-5


def test_progress_reports_every_batch(engine: Interpolator, frames) -> None:
    seen = []
    engine.render(engine.encode_pair(*frames), [0.1, 0.2, 0.3], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 3), (3, 3)]


def test_flow_has_four_channels_at_frame_size(engine: Interpolator, frames) -> None:
    flow = engine.flow(engine.encode_pair(*frames), t=0.5)
    assert flow.shape == (4, 45, 71)
    assert np.isfinite(flow).all()


@pytest.mark.parametrize(
    ("bad_map", "message"),
    [
        (np.zeros((10, 10), np.float32), "must be H x W = 45 x 71"),
        (np.full((45, 71), 1.5, np.float32), r"in \[0, 1\]"),
        (np.full((45, 71), np.nan, np.float32), "finite"),
        (-0.2, r"in \[0, 1\]"),
    ],
)
def test_bad_maps(engine: Interpolator, frames, bad_map, message: str) -> None:
    with pytest.raises(InputError, match=message):
        engine.render(engine.encode_pair(*frames), [bad_map])


def test_bad_frames_and_settings(engine: Interpolator, frames) -> None:
    with pytest.raises(InputError, match="frames differ in size"):
        engine.encode_pair(frames[0], frames[1][:40])
    with pytest.raises(InputError, match="H x W x 3"):
        engine.encode_frame(np.zeros((4, 4), np.uint8))
    with pytest.raises(InputError, match="fp16 needs a CUDA device"):
        Interpolator(engine.network, engine.spec, device="cpu", fp16=True)
    with pytest.raises(InputError, match="scale must be one of"):
        Interpolator(engine.network, engine.spec, device="cpu", scale=3.0)


@pytest.mark.parametrize("scale", [0.25, 0.5, 2.0, 4.0])
def test_every_scale_runs(engine: Interpolator, frames, scale: float) -> None:
    scaled = Interpolator(engine.network, engine.spec, device="cpu", scale=scale)
    assert scaled.render(scaled.encode_pair(*frames), [0.5])[0].shape == (45, 71, 3)


def test_maps_become_tensors_one_batch_at_a_time(engine: Interpolator, frames, monkeypatch) -> None:
    """A long list of maps (a long run of repeated video frames) must not be materialised all at once."""
    built = []
    original = Interpolator._map_tensor
    monkeypatch.setattr(Interpolator, "_map_tensor", lambda self, v, p: built.append(v) or original(self, v, p))
    stream = engine.iter_render(engine.encode_pair(*frames), [k / 1000 for k in range(1, 1000)])
    next(stream)
    assert len(built) == engine.batch_size
    with pytest.raises(InputError, match=r"in \[0, 1\]"):  # but every map is checked before any rendering
        next(engine.iter_render(engine.encode_pair(*frames), [0.5] * 10 + [2.0]))
