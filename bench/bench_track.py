"""Follow the first frame's object through the DAVIS clips in ../shared/data/davis-vos and score it as the field does.

J = IoU of the predicted mask with the true one, averaged over the frames after the given one, then over clips (the
DAVIS semi-supervised protocol). Prints J per clip (and its worst frame), the mean over the clips the defaults were
tuned on and over the held-out ones, seconds per frame (reading the 854x480 JPEG included) and peak memory.

    python bench/bench_track.py [--clips dog,blackswan] [--sheet docs/track-sheet.png]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

from interp.clip.frames import open_clip
from interp.clip.tracker import track
from interp.io.images import read_image

DAVIS = Path(__file__).resolve().parents[2] / "shared" / "data" / "davis-vos"
#: Clips the tracker's defaults were tuned on; the others are held out (never looked at while tuning).
TUNED = ("blackswan", "dance-twirl", "car-roundabout", "dog")
HELD_OUT = ("bmx-trees", "kite-surf")


def true_mask(clip: str, index: int) -> np.ndarray:
    """The DAVIS annotation of ``clip``'s frame ``index`` as ``H x W`` bool."""
    return read_image(DAVIS / clip / "masks" / f"{index:05d}.png")[..., 0] > 0


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def score_clip(clip: str) -> tuple[float, float, float, dict[int, np.ndarray]]:
    """``(J mean, J worst, seconds per frame, {frame: mask})`` for ``clip`` given its first frame's true mask."""
    scores: list[float] = []
    masks: dict[int, np.ndarray] = {}
    started = time.perf_counter()
    with open_clip(DAVIS / clip / "frames") as frames:
        for index, mask in track(frames, {0: true_mask(clip, 0)}):
            if index > 0:
                scores.append(iou(mask, true_mask(clip, index)))
            if index % 10 == 0:
                masks[index] = mask
        per_frame = (time.perf_counter() - started) / len(frames)
    return float(np.mean(scores)), float(np.min(scores)), per_frame, masks


def contact_sheet(clip: str, masks: dict[int, np.ndarray], count: int = 4) -> np.ndarray:
    """Frames of ``clip`` with the tracked mask tinted (predicted: green; missed truth: blue; wrong: red)."""
    import cv2

    picks = sorted(masks)[:: max(1, len(masks) // count)][:count]
    tiles = []
    for index in picks:
        frame = read_image(DAVIS / clip / "frames" / f"{index:05d}.jpg").astype(np.float32)
        mask, truth = masks[index], true_mask(clip, index)
        for region, colour in ((mask & truth, (0, 200, 0)), (truth & ~mask, (0, 0, 255)), (mask & ~truth, (255, 0, 0))):
            frame[region] = 0.5 * frame[region] + 0.5 * np.array(colour, np.float32)
        tiles.append(cv2.resize(frame.astype(np.uint8), (427, 240), interpolation=cv2.INTER_AREA))
    return np.concatenate(tiles, axis=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", default=",".join(TUNED + HELD_OUT), help="comma-separated DAVIS clip names")
    parser.add_argument("--sheet", type=Path, help="write a contact sheet of two clips' masks (PNG)")
    args = parser.parse_args()
    if not DAVIS.is_dir():
        print(f"skipped: {DAVIS} is missing (the shared DAVIS clips)")
        return 0
    clips = [name for name in args.clips.split(",") if name]
    results = {}
    print(f"{'clip':16s} {'J':>6s} {'worst':>6s} {'s/frame':>8s}  (cpu threads: {os.environ.get('OMP_NUM_THREADS')})")
    for clip in clips:
        results[clip] = score_clip(clip)
        j, worst, per_frame, _ = results[clip]
        tag = "held out" if clip in HELD_OUT else "tuned on"
        print(f"{clip:16s} {j:6.3f} {worst:6.3f} {per_frame:8.3f}  {tag}", flush=True)
    for label, group in (("tuned on", TUNED), ("held out", HELD_OUT), ("all", tuple(clips))):
        chosen = [results[c][0] for c in clips if c in group]
        if chosen:
            print(f"mean J ({label}, {len(chosen)} clips): {np.mean(chosen):.3f}")
    print(f"mean s/frame: {np.mean([r[2] for r in results.values()]):.3f}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.sheet is not None:
        import cv2

        rows = [contact_sheet(clip, results[clip][3]) for clip in clips[:2]]
        args.sheet.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(args.sheet), cv2.cvtColor(np.concatenate(rows, axis=0), cv2.COLOR_RGB2BGR))
        print(f"wrote {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
