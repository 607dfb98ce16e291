"""Benchmark: how well each renderer places manipulated objects (rife-v4 on synthetic scenes with exact answers).

    .venv/bin/python bench/bench_manipulation.py [--scenes 6] [--frames 9] [--model rife-v4] [--renderers ...]

Each scene (448x256, 3 textured objects moving 15-30 px over a sliding background) is rendered with several curves
per object, including reverse and hold. Printed per renderer: mean PSNR against the exact frames, and the median and
90th percentile of each object's position error in pixels (objects hidden in the exact frame are skipped), plus the
time per frame.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from interp.core.curves import Curve, output_times
from interp.core.renderers import RENDERERS
from interp.engine.interpolator import Interpolator
from interp.engine.manipulator import Manipulator
from interp.research.metrics import psnr
from interp.testing.position_error import placement_errors
from interp.testing.synthetic import make_scene

PRESETS = ("reverse", "hold", "linear", "arrive early", "start late", "there-and-back", "ease in-out", "jump to end")
BACKGROUNDS = ("linear", "hold", "ease in")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--frames", type=int, default=9, help="frames per sequence (both ends included)")
    parser.add_argument("--model", default="rife-v4")
    parser.add_argument("--seed", type=int, default=1000, help="first scene seed")
    parser.add_argument("--renderers", nargs="+", default=list(RENDERERS), choices=RENDERERS)
    args = parser.parse_args()

    manipulator = Manipulator(Interpolator.load(args.model))
    results = {name: {"psnr": [], "errors": [], "seconds": []} for name in args.renderers}
    prepare_seconds = []
    times = output_times(args.frames)[1:-1]
    for index in range(args.scenes):
        scene = make_scene(args.seed + index, 256, 448, num_objects=3, max_motion=30)
        started = time.perf_counter()
        prepared = manipulator.prepare(scene.frame(0), scene.frame(1), scene.visible_masks())
        prepare_seconds.append(time.perf_counter() - started)
        curves = [Curve.preset(PRESETS[(3 * index + k) % len(PRESETS)]) for k in range(3)]
        background = Curve.preset(BACKGROUNDS[index % len(BACKGROUNDS)])
        objects = np.stack([c(times) for c in curves], axis=1)
        backgrounds = background(times)
        exact = [scene.render(objects[k], backgrounds[k]) for k in range(len(times))]
        for name in args.renderers:
            started = time.perf_counter()
            frames = list(manipulator.render(prepared, objects, backgrounds, name))
            results[name]["seconds"].append((time.perf_counter() - started) / len(frames))
            for k, frame in enumerate(frames):
                results[name]["psnr"].append(psnr(frame, exact[k] / 255.0))
                masks = scene.visible_masks(objects[k], backgrounds[k])
                results[name]["errors"] += [e for e in placement_errors(frame * 255, exact[k], masks) if e is not None]
        print(f"scene {index + 1}/{args.scenes} done", flush=True)

    print(
        f"\n{args.model}, {args.scenes} scenes x {len(times)} in-between frames, 448x256, motions 15-30 px; "
        f"prepare (encode + flow + footprints) {np.mean(prepare_seconds):.2f} s per pair"
    )
    print(f"{'renderer':<10}{'PSNR dB':>9}{'median px':>11}{'p90 px':>9}{'objects':>9}{'s/frame':>9}")
    for name, r in results.items():
        errors = np.array(r["errors"])
        print(
            f"{name:<10}{np.mean(r['psnr']):>9.2f}{np.median(errors):>11.2f}{np.percentile(errors, 90):>9.2f}"
            f"{len(errors):>9d}{np.mean(r['seconds']):>9.2f}"
        )


if __name__ == "__main__":
    main()
