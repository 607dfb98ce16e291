"""Benchmark: how to fill background that neither frame shows, measured on real background whose truth is known.

    .venv/bin/python bench/bench_inpaint.py [--frames 4] [--methods ...]

Real frames of the DAVIS clips in ``../shared/data/davis-vos`` (each with its object's true mask), scaled to 448 px
wide (the preview's size). On each, a hole that only covers background is cut and filled from the rest of the
background (the object is not known either: in the renderer an object's pixels never fill background):

* ``object``: the object's own shape moved sideways until it lies on background (what both frames hide when an
  object moves less than its size, seen where the object later stands elsewhere);
* ``ring``: an 8-pixel band around the object (background next to an object, the hardest to guess).

Printed per method: PSNR inside the holes (mean over holes) and milliseconds per fill (contended machine: compare
the methods with each other). Methods: the renderer's smooth fill (``interp.core.composite.fill_from_surroundings``),
OpenCV's Telea and Navier-Stokes inpainting, and opencv-contrib's xphoto: FSR (fast and best) and shift-map (a
patch-based fill).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from interp.core.composite import fill_from_surroundings
from interp.core.images import to_uint8
from interp.io.images import read_image
from interp.research.metrics import psnr

DAVIS = Path(__file__).resolve().parents[2] / "shared" / "data" / "davis-vos"
WIDTH = 448
RING_PX = 8


def _smooth(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    return to_uint8(fill_from_surroundings(image / 255.0, ~hole))


def _opencv(flag: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    return lambda image, hole: cv2.inpaint(image, hole.astype(np.uint8), 5, flag)


def _xphoto(flag: int, lab: bool = False) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
        source = cv2.cvtColor(image, cv2.COLOR_RGB2LAB if lab else cv2.COLOR_RGB2BGR)
        out = np.zeros_like(source)
        cv2.xphoto.inpaint(source, (~hole).astype(np.uint8) * 255, out, flag)
        return cv2.cvtColor(out, cv2.COLOR_LAB2RGB if lab else cv2.COLOR_BGR2RGB)

    return fill


METHODS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "smooth": _smooth,
    "telea": _opencv(cv2.INPAINT_TELEA),
    "ns": _opencv(cv2.INPAINT_NS),
    "fsr-fast": _xphoto(cv2.xphoto.INPAINT_FSR_FAST),
    "fsr-best": _xphoto(cv2.xphoto.INPAINT_FSR_BEST),
    "shiftmap": _xphoto(cv2.xphoto.INPAINT_SHIFTMAP, lab=True),
}


def holes(mask: np.ndarray) -> dict[str, np.ndarray]:
    """The holes cut around an object (``H x W`` bool): its shape moved onto background, and a ring around it
    (each ``H x W`` bool, never on the object; a shape that finds no room is left out)."""
    found = {}
    ring = cv2.dilate(mask.astype(np.uint8), np.ones((2 * RING_PX + 1,) * 2, np.uint8)) > 0
    found["ring"] = ring & ~mask
    ys, xs = np.nonzero(mask)
    width = mask.shape[1]
    guard = cv2.dilate(mask.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    for dx in (xs.max() - xs.min() + 8, -(xs.max() - xs.min() + 8), (width // 2), -(width // 2)):
        moved = np.zeros_like(mask)
        ty, tx = ys, xs + dx
        if tx.min() < 0 or tx.max() >= width:
            continue
        moved[ty, tx] = True
        if not (moved & guard).any():
            found["object"] = moved
            break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=4, help="frames per clip, spread over the clip")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    args = parser.parse_args()
    scores = {(m, k): [] for m in args.methods for k in ("object", "ring")}
    seconds = {m: [] for m in args.methods}
    for clip in sorted(p for p in DAVIS.iterdir() if p.is_dir()):
        names = sorted(p.name for p in (clip / "frames").iterdir())
        for name in names[:: max(1, len(names) // args.frames)][: args.frames]:
            image = read_image(clip / "frames" / name)
            mask = read_image(clip / "masks" / Path(name).with_suffix(".png"))[..., 0] > 0
            height = round(image.shape[0] * WIDTH / image.shape[1])
            image = cv2.resize(image, (WIDTH, height), interpolation=cv2.INTER_AREA)
            mask = cv2.resize(mask.astype(np.uint8), (WIDTH, height), interpolation=cv2.INTER_NEAREST) > 0
            for kind, hole in holes(mask).items():
                unknown = hole | mask
                cut = image.copy()
                cut[unknown] = 0
                for method in args.methods:
                    started = time.perf_counter()
                    filled = METHODS[method](cut, unknown)
                    seconds[method].append(time.perf_counter() - started)
                    scores[method, kind].append(psnr(filled[hole] / 255.0, image[hole] / 255.0))
        print(f"{clip.name}: done", flush=True)
    print(f"\n{'method':<10}{'object holes':>14}{'rings':>10}{'ms per fill':>13}   (PSNR inside the holes, dB)")
    for method in args.methods:
        cells = [f"{np.mean(scores[method, kind]):>10.2f} ({len(scores[method, kind])})" for kind in ("object", "ring")]
        print(f"{method:<10}" + "".join(cells) + f"{1000 * np.median(seconds[method]):>11.0f}")


if __name__ == "__main__":
    main()
