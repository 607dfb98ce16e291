"""Benchmark: masks on real photos in a few actions, without Segment Anything weights (not a test).

    .venv/bin/python bench/bench_masks.py                       # about five minutes on 2 busy CPU cores
    .venv/bin/python bench/bench_masks.py --figures /tmp/mask-figures --cases dog,i0-woman

Cases: the first frame of each ``davis-vos`` sequence (DAVIS 2016 ground-truth masks, the next frame as the motion
cue) and InterpAny's I0 pair with a hand-checked mask of the woman and the can she holds
(``bench/masks/i0_woman.png``, made with these tools and checked by eye on an overlay).

A simulated user, honest about what a person sees and does: they see the image and the current mask, not the truth
pixel by pixel. Every action is one click on the page (a box is two; a mode switch is not counted; the brush radius
stays at ``--radius``). Strategies:

* ``clicks``: a positive click well inside the object, then a click in the middle of the largest wrong region
  (positive on a miss, negative on an excess), re-segmenting each time (the fallback segmenter).
* ``box + clicks``: the object's box (its true bounding box grown by 2 % and jittered by up to 4 px: two clicks),
  then corrective clicks as above, the box kept.
* ``box + edge brush``: the box, then the edge brush (superpixels) on the largest wrong region.
* ``outline N + edge brush``: N outline points on the true boundary (the corners a person picks: the vertices of a
  polygon approximating the outline, jittered by up to 3 px), one click more on the first point to close the
  outline (N + 1 actions), then the edge brush. N = 4 and 6.

Figures: IoU after 1 action, after the box (2 actions), after 5 and 7 actions, and the actions to reach IoU ≥ 0.9
(``>N`` when ``--actions`` are not enough).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from bench_segment import corrective_click

from interp.io.images import read_image, write_image
from interp.models.paths import PROJECT_ROOT
from interp.testing.masks import interior_point, iou
from sam_utils import masks
from sam_utils.fallback.segmenter import FallbackSegmenter
from sam_utils.masks import read_mask_png
from sam_utils.prompts import Box, Click
from sam_utils.tools import MaskTools

SHARED = PROJECT_ROOT.parent / "shared" / "data"
DAVIS = SHARED / "davis-vos"
HAND_MASKS = Path(__file__).resolve().parent / "masks"
TARGET = 0.9


@dataclass(frozen=True, eq=False)
class Case:
    """One photo: frame 0 and 1 (``H x W x 3`` uint8 RGB) and the object's true mask (``H x W`` bool)."""

    name: str
    frame0: np.ndarray
    frame1: np.ndarray
    truth: np.ndarray


def cases(names: list[str] | None = None) -> Iterator[Case]:
    """The DAVIS first frames and the I0 woman (those present, filtered by ``names``)."""
    for folder in sorted(p for p in DAVIS.iterdir() if p.is_dir()) if DAVIS.is_dir() else []:
        if names and folder.name not in names:
            continue
        frame0, frame1 = (read_image(folder / "frames" / f"{i:05d}.jpg") for i in (0, 1))
        yield Case(folder.name, frame0, frame1, read_image(folder / "masks" / "00000.png").max(axis=2) > 0)
    woman = SHARED / "interpany-demo" / "I0_0.png"
    if woman.is_file() and (not names or "i0-woman" in names):
        frame1 = read_image(SHARED / "interpany-demo" / "I0_1.png")
        yield Case("i0-woman", read_image(woman), frame1, read_mask_png(HAND_MASKS / "i0_woman.png"))


def worst_region(predicted: np.ndarray, truth: np.ndarray) -> tuple[int, int, bool] | None:
    """Where a person clicks next: the deepest point of the largest wrong region (``(x, y, add)``), or None when
    nothing wrong is more than 2 px deep (what a person would not see or could not hit); ``bench_segment``'s
    simulated user."""
    click = corrective_click(predicted, truth, depth=2)
    return None if click is None else (int(click.x), int(click.y), click.positive)


def jittered_box(truth: np.ndarray, rng: np.random.Generator) -> Box:
    """The true bounding box grown by 2 % of its size and jittered by up to 4 px, inside the image."""
    ys, xs = np.nonzero(truth)
    height, width = truth.shape
    grow_x, grow_y = 0.02 * (xs.max() - xs.min()), 0.02 * (ys.max() - ys.min())
    jitter = rng.uniform(-4, 4, 4)
    x0 = float(np.clip(xs.min() - grow_x + jitter[0], 0, width - 2))
    y0 = float(np.clip(ys.min() - grow_y + jitter[1], 0, height - 2))
    x1 = float(np.clip(xs.max() + 1 + grow_x + jitter[2], x0 + 2, width))
    y1 = float(np.clip(ys.max() + 1 + grow_y + jitter[3], y0 + 2, height))
    return Box(x0, y0, x1, y1)


def outline_points(truth: np.ndarray, count: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """About ``count`` points a person would click around the object: the vertices of a polygon approximating the
    largest outer contour of the truth, each jittered by up to 3 px."""
    contours, _ = cv2.findContours(truth.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    low, high = 0.1, float(cv2.arcLength(contour, True))
    polygon = contour
    for _ in range(30):  # bisect the tolerance until the polygon has at most ``count`` vertices
        middle = (low + high) / 2
        candidate = cv2.approxPolyDP(contour, middle, True)
        if len(candidate) > count:
            low = middle
        else:
            high, polygon = middle, candidate
    height, width = truth.shape
    points = polygon.reshape(-1, 2) + rng.integers(-3, 4, (len(polygon), 2))
    return [(int(np.clip(x, 0, width - 1)), int(np.clip(y, 0, height - 1))) for x, y in points]


Step = Callable[[np.ndarray], np.ndarray]


def outline(tools: MaskTools, image: np.ndarray, points: list[tuple[int, int]]) -> np.ndarray:
    """The app's outline: snapped paths between consecutive points and back to the first, filled and refined."""
    paths = [tools.outline_path(image, points[i], points[(i + 1) % len(points)]) for i in range(len(points))]
    return tools.close_outline(image, paths)


def edge_brush(case: Case, tools: MaskTools, radius: float) -> Step:
    """One edge-brush dab where the mask is most wrong."""

    def step(mask: np.ndarray) -> np.ndarray:
        where = worst_region(mask, case.truth)
        if where is None:
            return mask
        x, y, add = where
        region = tools.edge_brush(case.frame0, x + 0.5, y + 0.5, radius)
        return mask | region if add else mask & ~region

    return step


def run_strategy(case: Case, name: str, actions: int, radius: float, seed: int = 0) -> list[float]:
    """IoU after each action 1..``actions`` of one strategy on one case."""
    rng = np.random.default_rng(seed)
    segmenter = FallbackSegmenter()
    tools = MaskTools()
    truth, frame0, frame1 = case.truth, case.frame0, case.frame1
    start = interior_point(truth)
    scores: list[float] = []
    mask = np.zeros_like(truth)
    clicks: list[Click] = []
    box: Box | None = None
    brush: Step | None = None
    if name.startswith("box"):
        box = jittered_box(truth, rng)
        center = Click((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        scores.append(0.0)  # the first corner alone makes no mask
        mask = segmenter.segment(frame0, [center], box, frame1).mask
        scores.append(iou(mask, truth))
    elif name.startswith("outline"):
        points = outline_points(truth, int(name.split()[1]), rng)
        mask = outline(tools, frame0, points)
        scores.extend([0.0] * len(points))  # the outline fills when it is closed
        scores.append(iou(mask, truth))
    else:
        clicks = [Click(*start)]
        mask = segmenter.segment(frame0, clicks, None, frame1).mask
        scores.append(iou(mask, truth))
    if name.endswith("edge brush"):
        brush = edge_brush(case, tools, radius)
    while len(scores) < actions:
        if brush is not None:
            mask = brush(mask)
        else:
            where = worst_region(mask, truth)
            if where is not None:
                x, y, add = where
                if box is None or (box.x0 <= x < box.x1 and box.y0 <= y < box.y1) or not add:
                    clicks.append(Click(x, y, add))
                prompts = clicks if box is None else [*clicks, Click((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)]
                if any(c.positive for c in prompts):
                    mask = segmenter.segment(frame0, prompts, box, frame1).mask
        scores.append(iou(mask, truth))
    return scores[:actions]


STRATEGIES = ("clicks", "box + clicks", "box + edge brush", "outline 4 + edge brush", "outline 6 + edge brush")


def reached(scores: list[float]) -> str:
    hits = [i + 1 for i, score in enumerate(scores) if score >= TARGET]
    return str(hits[0]) if hits else f">{len(scores)}"


def figure(case: Case, folder: Path, radius: float, actions: int) -> None:
    """The truth and each strategy's mask after ``actions`` actions, side by side (the app's palette)."""
    del radius, actions
    folder.mkdir(parents=True, exist_ok=True)
    write_image(folder / f"{case.name}_truth.png", masks.overlay(case.frame0, [case.truth]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=12, help="actions simulated per strategy (default 12)")
    parser.add_argument("--radius", type=float, default=16.0, help="brush radius in px (default 16)")
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument("--strategies", help="comma-separated strategies (default: all)")
    parser.add_argument("--figures", type=Path, help="write the truth overlays into this folder")
    args = parser.parse_args()
    names = args.cases.split(",") if args.cases else None
    chosen = args.strategies.split(",") if args.strategies else list(STRATEGIES)
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPU cores, load average {load[0]:.2f} at the start (times are wall clock, contended)")
    print(f"\n{'case':<16} {'strategy':<22} {'1 action':>8} {'2 (box)':>8} {'5':>6} {'7':>6} {'to 0.9':>7} {'s':>5}")
    summary: dict[str, list[list[float]]] = {name: [] for name in chosen}
    for case in cases(names):
        if args.figures is not None:
            figure(case, args.figures, args.radius, args.actions)
        for name in chosen:
            started = time.perf_counter()
            scores = run_strategy(case, name, args.actions, args.radius)
            summary[name].append(scores)
            print(f"{case.name:<16} {name:<22} {scores[0]:>8.3f} {scores[1]:>8.3f} {scores[4]:>6.3f} "
                  f"{scores[6]:>6.3f} "
                  f"{reached(scores):>7} {time.perf_counter() - started:>5.1f}", flush=True)  # fmt: skip
    print(f"\n{'strategy':<22} {'1 action':>8} {'2 (box)':>8} {'5':>6} {'7':>6} {'median to 0.9':>14} {'reached':>8}")
    for name, runs in summary.items():
        if not runs:
            continue
        table = np.array(runs)
        needed = [next((i + 1 for i, s in enumerate(r) if s >= TARGET), args.actions + 1) for r in runs]
        median = np.median(needed)
        shown = f"{median:.0f}" if median <= args.actions else f">{args.actions}"
        print(f"{name:<22} {table[:, 0].mean():>8.3f} {table[:, 1].mean():>8.3f} {table[:, 4].mean():>6.3f} "
              f"{table[:, 6].mean():>6.3f} "
              f"{shown:>14} {sum(n <= args.actions for n in needed):>5}/{len(runs)}")  # fmt: skip
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
