"""Benchmark: streaming video interpolation speed and peak memory.

    .venv/bin/python bench/bench_video.py [--mode speed|flat|all] [--frames N] [--factors 2 4]
                                          [--flat-frames 200 2000] [--flat-size 160x96] [--model rife-v4]

speed: ``../shared/data/videos/car-detection.mp4`` (768x432, 12.5 fps, 377 frames; ``--frames N`` for the first N)
through ``interpolate_video`` for each factor: output frames per second, input frames per second, and the peak
resident memory (RSS high-water mark) of the process that did it.

flat: generated videos of ``--flat-frames`` lengths (a textured pan at ``--flat-size``, written to a temporary folder),
each interpolated x2; peak memory should be the same whatever the length.

Every run happens in a fresh child process, so each peak is that run's alone: model, torch, the frames in flight and
the pipes to ffmpeg (the ffmpeg decoder and encoder are processes of their own, with fixed-size buffers, not counted).
Timings include decoding and encoding but not loading the model.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from interp.engine.interpolator import Interpolator
from interp.engine.video import VideoOptions, interpolate_video
from interp.io.encode import FfmpegWriter
from interp.models.paths import PROJECT_ROOT
from interp.testing.synthetic import make_scene

CAR_VIDEO = PROJECT_ROOT.parent / "shared" / "data" / "videos" / "car-detection.mp4"
FLAT_FPS = 25.0


def _peak_mb(who: int) -> float:
    """RSS high-water mark in MiB (Linux reports kibibytes)."""
    return resource.getrusage(who).ru_maxrss / 1024


def run_child(config: dict) -> None:
    """One measured run (in its own process): print one JSON line with the figures."""
    started = time.perf_counter()
    interpolator = Interpolator.load(config["model"], device=config["device"])
    loaded = time.perf_counter() - started
    rss_loaded = _peak_mb(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as folder:
        result = interpolate_video(
            interpolator,
            config["video"],
            Path(folder) / "out.mp4",
            VideoOptions(nums=(config["factor"] - 1,)),
            max_frames=config["frames"],
        )
    stats = result.stats
    figures = {
        "frames_in": stats.frames_in,
        "frames_out": stats.frames_out,
        "rendered": stats.rendered,
        "cuts": stats.cuts,
        "duplicates": stats.duplicates,
        "seconds": result.seconds,
        "load_seconds": loaded,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_mb(resource.RUSAGE_SELF),
    }
    print(json.dumps(figures), flush=True)


def measure(video: Path, factor: int, frames: int | None, model: str, device: str) -> dict:
    """Run ``run_child`` in a fresh Python process and return its figures."""
    config = {"video": str(video), "factor": factor, "frames": frames, "model": model, "device": device}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(config)]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the measured run failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_pan_video(path: Path, frames: int, width: int, height: int) -> Path:
    """A textured scene panned along a circle (4 px per frame), H.264 at 25 fps; cheap to make at any length."""
    canvas = make_scene(11, height + 64, width + 64, num_objects=4, max_motion=0).frame(0)
    with FfmpegWriter(path, FLAT_FPS) as writer:
        for k in range(frames):
            angle = 2 * np.pi * k / 50
            x, y = round(32 + 30 * float(np.cos(angle))), round(32 + 30 * float(np.sin(angle)))
            writer.write(np.ascontiguousarray(canvas[y : y + height, x : x + width]))
    return path


def _conditions(device: str) -> str:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load}"


def bench_speed(args: argparse.Namespace) -> None:
    if not CAR_VIDEO.is_file():
        raise SystemExit(f"needs {CAR_VIDEO} (the shared data folder next to the project)")
    frames = args.frames
    which = "all" if frames is None else f"first {frames}"
    print(f"speed: {CAR_VIDEO.name}, {which} frames; {_conditions(args.device)}")
    for factor in args.factors:
        r = measure(CAR_VIDEO, factor, frames, args.model, args.device)
        print(
            f"  x{factor}: {r['frames_in']} -> {r['frames_out']} frames ({r['rendered']} rendered) in "
            f"{r['seconds']:.1f} s = {r['frames_out'] / r['seconds']:.2f} output frames/s, "
            f"{r['frames_in'] / r['seconds']:.2f} input frames/s; peak RSS {r['peak_rss_mb']:.0f} MiB "
            f"(after loading the model {r['rss_after_load_mb']:.0f} MiB)",
            flush=True,
        )


def bench_flat(args: argparse.Namespace) -> None:
    width, height = (int(v) for v in args.flat_size.lower().split("x"))
    print(f"flat memory: x2 on generated {width}x{height} pans; {_conditions(args.device)}")
    peaks = []
    with tempfile.TemporaryDirectory() as folder:
        for count in args.flat_frames:
            video = make_pan_video(Path(folder) / f"pan{count}.mp4", count, width, height)
            r = measure(video, 2, None, args.model, args.device)
            peaks.append(r["peak_rss_mb"])
            print(
                f"  {r['frames_in']:5d} frames -> {r['frames_out']:5d} in {r['seconds']:.1f} s: "
                f"peak RSS {r['peak_rss_mb']:.0f} MiB (after loading the model {r['rss_after_load_mb']:.0f} MiB)",
                flush=True,
            )
            video.unlink()
    print(f"  longest vs shortest: {peaks[-1] - peaks[0]:+.0f} MiB ({(peaks[-1] / peaks[0] - 1) * 100:+.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("speed", "flat", "all"), default="all")
    parser.add_argument("--frames", type=int, default=None, help="only the first N frames of the car video")
    parser.add_argument("--factors", type=int, nargs="+", default=[2, 4], help="frame-rate factors (default 2 4)")
    parser.add_argument("--flat-frames", type=int, nargs="+", default=[200, 2000], help="generated video lengths")
    parser.add_argument("--flat-size", default="160x96", help="generated video size WxH (default 160x96)")
    parser.add_argument("--model", default="rife-v4")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        run_child(json.loads(args.child))
        return
    if args.mode in ("speed", "all"):
        bench_speed(args)
    if args.mode in ("flat", "all"):
        bench_flat(args)


if __name__ == "__main__":
    main()
