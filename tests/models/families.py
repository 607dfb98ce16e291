"""Helpers for the InterpAny-Clearer family fixtures (``../shared/fixtures/interpany-families``).

The fixtures fed RGB frames; the engine feeds these networks BGR (as the official scripts read frames with OpenCV),
so the engines built here switch that off to compare.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from interp.engine.interpolator import Interpolator
from interp.models.registry import get_spec
from interp.models.weights import load_network
from tests.conftest import shared_path

#: A correct port differs from the fixtures by ~1e-5; a wrong channel order or map by 1.6e-3 .. 1.0 (their README).
TOLERANCE = 1e-4


def fixture(*parts: str) -> Path:
    return shared_path("fixtures", "interpany-families", *parts)


def model_folder(name: str) -> Path:
    """The fixture's model folder for a registry name (``DR-AMT-S`` -> ``AMT-S/DR-AMT-S``)."""
    return fixture(name.split("-", 1)[1], name)


def expected(name: str, file: str) -> np.ndarray:
    """A golden output as ``H x W x 3`` RGB."""
    return np.load(model_folder(name) / file).transpose(1, 2, 0)


def dmap() -> np.ndarray:
    return np.load(fixture("inputs_dmap.npy"))


def rgb_engine(name: str, checkpoint: Path | None = None, batch_size: int = 2) -> Interpolator:
    spec = dataclasses.replace(get_spec(name), bgr_input=False)
    network = load_network(spec, checkpoint if checkpoint is not None else model_folder(name))
    return Interpolator(network, spec, device="cpu", batch_size=batch_size)


def max_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max())


def reference_padded_run(
    engine: Interpolator, img0: np.ndarray, img1: np.ndarray, value: float, multiple: int
) -> np.ndarray:
    """What the reference scripts do on any frame size: ``InputPadder`` (replicate, centred), a map made at the
    padded size, one network pass ([D,R]: condition ``[d, 0, img0]``), ``unpad``. RGB in, ``H x W x 3`` out."""
    height, width = img0.shape[:2]
    pad_h, pad_w = -height % multiple, -width % multiple
    padding = [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2]
    frames = [torch.from_numpy(i.transpose(2, 0, 1).copy())[None].float() / 255.0 for i in (img0, img1)]
    frame0, frame1 = (F.pad(f, padding, mode="replicate") for f in frames)
    d = torch.zeros_like(frame0[:, :1]) + value
    cond = torch.cat([d, torch.zeros_like(d), frame0], 1) if engine.spec.iterative else d
    with torch.no_grad():
        out = engine.network(frame0, frame1, cond)
    out = out[:, :, padding[2] : padding[2] + height, padding[0] : padding[0] + width]
    return out.clamp(0, 1)[0].permute(1, 2, 0).numpy()


def check_d_output(name: str, pair: tuple[np.ndarray, np.ndarray], checkpoint: Path | None = None) -> float:
    """A [D] model's frame for the fixture map; returns the max abs difference from ``out.npy``."""
    engine = rgb_engine(name, checkpoint)
    frame = engine.render(engine.encode_pair(*pair), [dmap()])[0]
    return max_diff(frame, expected(name, "out.npy"))


def check_encode_once_render_many(name: str, pair: tuple[np.ndarray, np.ndarray]) -> None:
    """One encoded pair, maps in several batches (a uniform map between them): each map renders as alone."""
    engine = rgb_engine(name, batch_size=2)
    frames = engine.render(engine.encode_pair(*pair), [dmap(), 0.5, 0.25, dmap()], iters=2)
    golden = expected(name, "out_iters2.npy" if engine.spec.iterative else "out.npy")
    for index in (0, 3):
        assert max_diff(frames[index], golden) < TOLERANCE
    assert max_diff(frames[1], frames[2]) > 1e-5  # the map reached the network (D-EMA-VFI reacts weakly)


def check_dr_outputs(engine: Interpolator, pair: tuple[np.ndarray, np.ndarray]) -> None:
    """``iters=2`` is the reference loop (``out_iters2``); ``iters=1`` its one pass with ``(img0, d, 0)``."""
    encoded = engine.encode_pair(*pair)
    for iters, file in ((2, "out_iters2.npy"), (1, "out_iters0.npy")):
        frame = engine.render(encoded, [dmap()], iters=iters)[0]
        assert max_diff(frame, expected(engine.spec.name, file)) < TOLERANCE, (iters, file)


def check_odd_size(name: str, pair: tuple[np.ndarray, np.ndarray], multiple: int) -> None:
    """245 x 429 frames pad (replicate, centred) to the family's multiple and crop back, as the reference does."""
    img0, img1 = (image[3:248, 5:434] for image in pair)
    engine = rgb_engine(name)
    frame = engine.render(engine.encode_pair(img0, img1), [0.4], iters=1)[0]
    assert frame.shape == (245, 429, 3)
    assert max_diff(frame, reference_padded_run(engine, img0, img1, 0.4, multiple)) < TOLERANCE


def check_bgr_default(name: str, pair: tuple[np.ndarray, np.ndarray]) -> None:
    """The registry's own engine feeds BGR: channel-reversed inputs give the fixture's output channel-reversed."""
    spec = get_spec(name)
    engine = Interpolator(load_network(spec, model_folder(name)), spec, device="cpu")
    img0, img1 = (np.ascontiguousarray(i[:, :, ::-1]) for i in pair)
    frame = engine.render(engine.encode_pair(img0, img1), [dmap()])[0]
    golden = expected(name, "out_iters2.npy" if spec.iterative else "out.npy")
    assert max_diff(frame[:, :, ::-1], golden) < TOLERANCE


def check_engine_contract(name: str, pair: tuple[np.ndarray, np.ndarray], multiple: int) -> None:
    """Encode once / render many, and odd frame sizes padded as the reference pads them."""
    check_encode_once_render_many(name, pair)
    check_odd_size(name, pair, multiple)
