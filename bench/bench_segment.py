"""Benchmark: the weight-free fallback segmenter's quality and latency on generated scenes (not a test).

    .venv/bin/python bench/bench_segment.py                    # about two minutes on 2 CPU cores
    .venv/bin/python bench/bench_segment.py --scenes 10 --figures /tmp/segment-figures

Quality: scenes from ``interp.testing.synthetic.make_scene`` (448 x 256, known masks, seeds from 500; the fallback was
tuned on seeds 1000-1039 and 2000-2039, the tests use 0-7). One positive click at each object's centre (or, where the
centre is covered, at the visible point farthest from the mask's edge); then a second click by a simulated user who
clicks the middle of the largest error region (positive for a miss, negative for an excess) if that region is at least
7 pixels across (3 pixels deep), else leaves the mask as it is. Three sets:

* ``3 objects``: the default scenes.
* ``5 objects``: more objects, more overlap.
* ``moving together``: two touching objects of different colours with the same motion (one click takes both;
  the second click is a negative click on the other object).
* ``colour only``: the 3-object scenes without the next frame.

Latency: per-click time after the per-pair precomputation (reported separately), at 448 x 256 and 1280 x 720, wall
clock on this machine as it is (the load average is printed: other processes inflate the figures).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from scipy import ndimage as ndi

from interp.io.images import read_image, write_image
from interp.models.paths import PROJECT_ROOT
from interp.testing.masks import interior_point, iou
from interp.testing.synthetic import Scene, make_scene
from sam_utils import masks
from sam_utils.fallback import segmenter as fallback
from sam_utils.prompts import Click

FIRST_SEED = 500
SHARED = PROJECT_ROOT.parent / "shared" / "data"


def corrective_click(predicted: np.ndarray, truth: np.ndarray, depth: int = 3) -> Click | None:
    """The simulated user's next click: the middle of the largest error region at least ``depth`` pixels deep."""
    best: tuple[int, np.ndarray, bool] | None = None
    for error, positive in ((truth & ~predicted, True), (predicted & ~truth, False)):
        core = masks.erode(error, depth)
        labels, count = ndi.label(core)
        if count == 0:
            continue
        sizes = np.bincount(labels.ravel())[1:]
        largest = int(np.argmax(sizes)) + 1
        if best is None or sizes[largest - 1] > best[0]:
            best = (int(sizes[largest - 1]), labels == largest, positive)
    if best is None:
        return None
    x, y = interior_point(best[1])
    return Click(x, y, best[2])


def moving_together(seed: int) -> Scene:
    """Two objects of different colours with the first one's motion."""
    scene = make_scene(seed, num_objects=2)
    first, second = scene.objects
    return dataclasses.replace(scene, objects=(first, dataclasses.replace(second, motion=first.motion)))


def touching(scene: Scene) -> bool:
    first, second = scene.visible_masks()
    return bool((masks.dilate(first, 1) & second).any())


def _scenes(make: Callable[[int], Scene], count: int, keep: Callable[[Scene], bool] | None = None) -> Iterator[Scene]:
    seed = FIRST_SEED
    found = 0
    while found < count:
        scene = make(seed)
        seed += 1
        if keep is None or keep(scene):
            found += 1
            yield scene


def quality(scenes: Iterator[Scene], with_motion: bool = True, only_first: bool = False) -> tuple[list, list]:
    """IoU after one click and after the simulated second click, per object."""
    segmenter = fallback.FallbackSegmenter()
    one, two = [], []
    for scene in scenes:
        frame0, frame1 = scene.frame(0.0), scene.frame(1.0) if with_motion else None
        objects = list(zip(scene.visible_masks(), scene.centres(0.0), strict=True))
        for index, (truth, centre) in enumerate(objects[:1] if only_first else objects):
            clicks = [Click(*interior_point(truth, centre))]
            first = segmenter.segment(frame0, clicks, None, frame1).mask
            if only_first:  # the second click goes on the other object that moves along
                other, other_centre = objects[1 - index]
                extra = Click(*interior_point(other, other_centre), positive=False)
            else:
                extra = corrective_click(first, truth)
            second = first if extra is None else segmenter.segment(frame0, [*clicks, extra], None, frame1).mask
            one.append(iou(first, truth))
            two.append(iou(second, truth))
    return one, two


def latency(height: int, width: int, count: int, repeats: int = 3) -> tuple[list[float], list[float]]:
    """Per-click and per-pair times (seconds) on ``count`` scenes of the given size."""
    clicks, pairs = [], []
    for scene in _scenes(lambda seed: make_scene(seed, height, width), count):
        frame0, frame1 = scene.frame(0.0), scene.frame(1.0)
        started = time.perf_counter()
        features = fallback.precompute(frame0, frame1)
        pairs.append(time.perf_counter() - started)
        points = [interior_point(m, c) for m, c in zip(scene.visible_masks(), scene.centres(0.0), strict=True)]
        for _ in range(repeats):
            for point in points:
                started = time.perf_counter()
                fallback.segment_features(features, [Click(*point)])
                clicks.append(time.perf_counter() - started)
    return clicks, pairs


def figures(folder: Path, count: int) -> None:
    """Overlays (the app's palette) of one-click masks on generated scenes and, when present, the shared photos."""
    folder.mkdir(parents=True, exist_ok=True)
    segmenter = fallback.FallbackSegmenter()
    for scene in _scenes(make_scene, count):
        frame0, frame1 = scene.frame(0.0), scene.frame(1.0)
        truths = scene.visible_masks()
        points = [interior_point(m, c) for m, c in zip(truths, scene.centres(0.0), strict=True)]
        found = [segmenter.segment(frame0, [Click(*p)], None, frame1).mask for p in points]
        panel = np.concatenate([masks.overlay(frame0, truths), masks.overlay(frame0, found)], axis=1)
        for x, y in points:
            for offset in (0, frame0.shape[1]):
                cv2.circle(panel, (x + offset, y), 3, (255, 255, 255), -1)
        write_image(folder / f"synthetic_{len(list(folder.glob('synthetic_*')))}.png", panel)
    photos = [("interpany-demo", "I0_0.png", "I0_1.png", [(270, 225), (270, 75), (120, 200)]),
              ("eval/ucf101/21", "frame0.png", "frame1.png", [(137, 149)]),
              ("eval/ucf101/11", "frame0.png", "frame1.png", [(190, 103)])]  # fmt: skip
    for name, first, second, points in photos:
        if not (SHARED / name / first).is_file():
            continue
        frame0, frame1 = read_image(SHARED / name / first), read_image(SHARED / name / second)
        found = [segmenter.segment(frame0, [Click(*p)], None, frame1).mask for p in points]
        panel = masks.overlay(frame0, found)
        for x, y in points:
            cv2.circle(panel, (x, y), 3, (255, 255, 255), -1)
        write_image(folder / f"photo_{name.replace('/', '_')}.png", panel)
    print(f"figures written to {folder}")


def _row(name: str, one: list[float], two: list[float]) -> str:
    return (f"{name:<16} {len(one):>7} {np.mean(one):>12.3f} {np.min(one):>8.3f} {np.mean(two):>13.3f} "
            f"{np.min(two):>8.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", type=int, default=20, help="generated scenes per quality set (default 20)")
    parser.add_argument("--latency-scenes", type=int, default=3, help="scenes per size for latency (default 3)")
    parser.add_argument("--figures", type=Path, help="also write overlay figures into this folder")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPU cores, OpenCV threads {cv2.getNumThreads()}, torch threads {torch.get_num_threads()}, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the start")  # fmt: skip
    started = time.perf_counter()
    print(f"\n{'set':<16} {'objects':>7} {'IoU 1 click':>12} {'min':>8} {'IoU 2 clicks':>13} {'min':>8}")
    print(_row("3 objects", *quality(_scenes(make_scene, args.scenes))))
    print(_row("5 objects", *quality(_scenes(lambda s: make_scene(s, num_objects=5), args.scenes // 2))))
    together = _scenes(moving_together, max(1, args.scenes // 2), touching)
    print(_row("moving together", *quality(together, only_first=True)))
    print(_row("colour only", *quality(_scenes(make_scene, args.scenes // 2), with_motion=False)))
    print(f"\n{'size':<10} {'clicks':>6} {'median ms':>10} {'p90 ms':>8} {'precompute ms (median)':>24}")
    for height, width in ((256, 448), (720, 1280)):
        clicks, pairs = latency(height, width, args.latency_scenes)
        print(f"{width}x{height:<5} {len(clicks):>6} {1000 * np.median(clicks):>10.0f} "
              f"{1000 * np.percentile(clicks, 90):>8.0f} {1000 * np.median(pairs):>24.0f}")  # fmt: skip
    if args.figures is not None:
        figures(args.figures, 4)
    load = os.getloadavg()
    print(f"\nload average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end; {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
