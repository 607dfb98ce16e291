"""Benchmark: the AMT-S, IFRNet and EMA-VFI ports ([D] and [D,R]) on this machine, per output frame.

    .venv/bin/python bench/bench_families.py [--repeats 3] [--device cpu] [--models D-AMT-S DR-EMA-VFI ...]

The reference implementation is not installed here, so this times our port only (no ratio). Weights are random:
AMT-S and IFRNet at their only size; EMA-VFI at the official size (F = 32, depths 2, 2, 2, 4, 4), not the fixtures'
F = 8. Cases, per model (median of ``--repeats`` after a warm-up; [D,R] with the default 2 iterations):

* one frame at 448x256 and at 1280x720 (a map of 0.5, the pair encoded each time);
* 16 different per-pixel maps on one encoded 448x256 pair, time per frame;
* peak resident memory of a fresh process rendering one 1280x720 frame (measured in a child process).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from interp.engine import Interpolator
from interp.models.ema_vfi import EMAVFIDI
from interp.models.registry import build_network, get_spec

MODELS = ("D-AMT-S", "DR-AMT-S", "D-IFRNet", "DR-IFRNet", "D-EMA-VFI", "DR-EMA-VFI")
SIZES = ((256, 448), (720, 1280))


def engine(name: str, device: str) -> Interpolator:
    spec = get_spec(name)
    torch.manual_seed(0)
    network = EMAVFIDI(spec.iterative) if spec.arch == "ema-vfi" else build_network(spec)
    return Interpolator(network.eval(), spec, device=device)


def frames(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    img0 = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    return img0, np.roll(img0, 8, axis=1)


def median_time(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_child(name: str, device: str) -> float:
    """GiB of peak resident memory in a fresh process that loads ``name`` and renders one 1280x720 frame."""
    out = subprocess.run(
        [sys.executable, __file__, "--peak-child", name, "--device", device], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_gib"]


def peak_child(name: str, device: str) -> None:
    interp = engine(name, device)
    img0, img1 = frames(*SIZES[1])
    interp.render(interp.encode_pair(img0, img1), [0.5])
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report its parent's peak.
    status = Path("/proc/self/status").read_text().splitlines()
    peak_kib = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    print(json.dumps({"peak_gib": peak_kib / 2**20}))


def bench(name: str, device: str, repeats: int) -> dict[str, float]:
    interp = engine(name, device)
    row: dict[str, float] = {}
    for height, width in SIZES:
        pair_frames = frames(height, width)
        row[f"{width}x{height}"] = median_time(
            lambda pf=pair_frames: interp.render(interp.encode_pair(*pf), [0.5]), repeats
        )
    img0, img1 = frames(*SIZES[0])
    pair = interp.encode_pair(img0, img1)
    ramp = np.linspace(0.0, 1.0, SIZES[0][1], dtype=np.float32)[None].repeat(SIZES[0][0], 0)
    maps = [np.clip(ramp * (k + 1) / 17, 0, 1) for k in range(16)]
    row["16 maps, per frame"] = median_time(lambda: interp.render(pair, maps), repeats) / 16
    row["peak GiB 1280x720"] = peak_memory_child(name, device)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    parser.add_argument("--peak-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_child:
        peak_child(args.peak_child, args.device)
        return 0
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), device {args.device}")
    print("| model | 448x256 | 1280x720 | 16 maps on one 448x256 pair, per frame | peak memory 1280x720 |")
    print("|---|---|---|---|---|")
    for name in args.models:
        row = bench(name, args.device, args.repeats)
        values = list(row.values())
        print(
            f"| `{name}` | {values[0]:.3f} s | {values[1]:.3f} s | {values[2]:.3f} s | {values[3]:.2f} GiB |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
