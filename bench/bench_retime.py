"""Retime objects inside clips and measure it: exact generated clips, real clips with true masks, and the speed
against plain retiming (``interp video``'s engine) on the same frames.

    OMP_NUM_THREADS=2 python bench/bench_retime.py [--skip synthetic,real,speed,sheet] [--sheet docs/retime-cctv5.jpg]

* synthetic: ``interp.testing.synthetic.make_clip`` clips (a panning background, objects on straight paths, every
  frame exact at any per-object time); object 0 frozen / reversed / slowed / sped up while the rest plays; placement
  error (median, p90) and PSNR against the exact frame, with the exact masks and with masks the tracker followed from
  frame 0;
* real: DAVIS clips with their true masks (a folder of masks), the object frozen on the middle frame and slowed x2:
  the temporal standard deviation of the output inside the frozen object, PSNR against plain retiming away from the
  object (20 px from where it is at either time), the share of invented pixels, seconds per frame;
* speed: the CCTV5 demo clip's first seconds, two objects followed from boxes, x2 output frames, against plain x2
  interpolation of the same frames; and that equal curves give plain retiming (PSNR);
* sheet: the CCTV5 clip's court inset with the near athlete at half speed and the rest at normal speed.

Data is read in place from ../shared/data. Timings are wall-clock on whatever machine runs this (the README says
which).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import cv2
import numpy as np

from interp.clip.frames import open_clip
from interp.clip.plates import grow
from interp.clip.retime import Retimer, Timing, clip_timings
from interp.clip.store import MaskStore
from interp.clip.tracker import track
from interp.core.curves import Curve
from interp.engine.interpolator import Interpolator
from interp.engine.video import VideoOptions, interpolate_frames
from interp.io.decode import iter_frames
from interp.io.images import write_image
from interp.project.clip_render import open_job
from interp.project.clip_schema import parse_clip_project
from interp.research import metrics
from interp.testing.position_error import placement_errors
from interp.testing.synthetic import SyntheticClip, make_clip
from sam_utils.masks import write_mask_png
from sam_utils.outline import outline_mask, prepare_scissors

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DAVIS = DATA / "davis-vos"
CCTV5 = DATA / "interpany-demo" / "cctv5_interpany-clearer.mp4"
#: The court inset of the CCTV5 clip (x0, y0, x1, y1) and outlines (7 clicks each, inset pixels) around its two
#: players on frame 0, as a user would click them with the weight-free outline tool.
INSET = (880, 180, 1170, 420)
NEAR_PLAYER = [(156, 110), (172, 126), (170, 152), (166, 187), (147, 187), (145, 152), (142, 126)]
FAR_PLAYER = [(137, 58), (145, 75), (143, 95), (140, 112), (130, 112), (128, 95), (130, 75)]

#: Object 0's curve in the synthetic runs (output time u -> clip time s / (L - 1)).
CURVES = {
    "freeze": [[0, 0.3], [1, 0.3]],
    "reverse": [[0, 1], [1, 0]],
    "slow x0.5": [[0, 0.25], [1, 0.75]],
    "fast x2": [[0, 0], [0.5, 1], [1, 1]],
}


#: PSNR of identical images (and the most any frame counts for in a mean).
PSNR_CAP = 60.0


def psnr(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> float:
    """PSNR in dB (8-bit images), at most ``PSNR_CAP`` (identical images would be infinite)."""
    return min(PSNR_CAP, metrics.psnr(a, b, peak=255.0, where=where))


def tracked_store(clip: SyntheticClip, folder: Path) -> MaskStore:
    """Masks followed by the tracker from each object's exact mask on frame 0."""
    for k in range(clip.num_frames):
        write_image(folder / f"{k:05d}.png", clip.frame(k))
    store = MaskStore(len(clip.scene.objects), clip.num_frames, clip.scene.height, clip.scene.width)
    with open_clip(folder) as frames:
        for i, mask in enumerate(clip.masks(0)):
            for k, found in track(frames, {0: mask}):
                store.put(i, k, found)
    return store


def synthetic(interpolator: Interpolator, seeds: list[int], num_frames: int, names: list[str]) -> None:
    print(f"\nsynthetic clips: {len(seeds)} seeds x {num_frames} frames at 448x256, background panning 1.5 px/frame")
    print(f"(PSNR of identical frames counts as {PSNR_CAP:g} dB)")
    print("| object 0's curve | masks | median placement | p90 | mean PSNR | worst frame |")
    print("|---|---|---|---|---|---|")
    for masks in ("exact", "tracked"):
        for name, points in ((name, CURVES[name]) for name in names):
            errors: list[float] = []
            scores: list[float] = []
            for seed in seeds:
                clip = make_clip(seed, num_frames, pan=(1.5, 0.5))
                with tempfile.TemporaryDirectory() as tmp:
                    store = clip.mask_store() if masks == "exact" else tracked_store(clip, Path(tmp))
                with store:
                    retimer = Retimer(interpolator, clip.frame, store, num_frames)
                    curves = [Curve.from_points(points)] + [Curve.preset("linear")] * (len(clip.scene.objects) - 1)
                    for timing in clip_timings(Curve.preset("linear"), curves, num_frames, num_frames):
                        out = retimer.render(timing).image
                        truth = clip.render(timing.background, timing.objects)
                        scores.append(psnr(out, truth))
                        visible = clip.visible(timing.background, timing.objects)
                        errors += [e for e in placement_errors(out, truth, visible) if e is not None]
            print(
                f"| {name} | {masks} | {np.median(errors):.2f} px | {np.percentile(errors, 90):.2f} px | "
                f"{np.mean(scores):.2f} dB | {np.min(scores):.2f} dB |"
            )


def davis_project(name: str, curve: list[list[float]], num_output: int) -> dict:
    return {
        "format": "interp-project",
        "version": 2,
        "video": str(DAVIS / name / "frames"),
        "num_frames": num_output,
        "objects": [{"name": name, "masks": str(DAVIS / name / "masks"), "curve": curve}],
    }


def real(interpolator: Interpolator, clips: list[str]) -> None:
    print(
        "\nreal clips (DAVIS, true masks), x2 output frames (the background between frames half the time): the object "
        "frozen on the middle frame / slowed x2 around it"
    )
    print("| clip | curve | std inside the frozen object | PSNR vs plain retiming away from it | invented | s/frame |")
    print("|---|---|---|---|---|---|")
    for name in clips:
        count = len(list((DAVIS / name / "frames").iterdir()))
        middle = (count // 2) / (count - 1)
        for label, curve in (
            ("freeze", [[0, middle], [1, middle]]),
            ("slow x2", [[0, middle / 2], [1, 0.5 + middle / 2]]),
        ):
            project = parse_clip_project(davis_project(name, curve, 2 * count - 1), Path("/"))
            with ExitStack() as stack:
                job = open_job(project, interpolator, stack)
                started = time.perf_counter()
                outputs, aways, invented = [], [], 0.0
                for timing in job.timings:
                    retimed = job.retimer.render(timing)
                    invented += float(retimed.invented.mean())
                    plain = job.retimer.render(Timing(timing.background, (timing.background,))).image
                    near = np.zeros(retimed.invented.shape, bool)
                    for time_ in (timing.background, timing.objects[0]):
                        near |= job.store.get(0, round(time_))
                    away = ~grow(near, 20)
                    aways.append(psnr(retimed.image, plain, away))
                    if label == "freeze":
                        outputs.append(retimed.image)
                seconds = (time.perf_counter() - started) / len(job.timings)
                stability = "—"
                if outputs:
                    inside = cv2.erode(job.store.get(0, round(middle * (count - 1))).astype(np.uint8), np.ones((5, 5)))
                    stack_ = np.stack(outputs).astype(np.float32)
                    stability = f"{float(stack_.std(axis=0)[inside > 0].mean()):.2f} levels"
                away_text = f"{np.mean(aways):.2f} dB"
                print(
                    f"| {name} | {label} | {stability} | {away_text} | {100 * invented / len(job.timings):.2f} % | "
                    f"{seconds:.2f} |"
                )


def cctv5_frames(count: int, crop: tuple[int, int, int, int] | None, folder: Path) -> list[np.ndarray]:
    """The first ``count`` frames of the CCTV5 clip (cropped to ``crop``), written into ``folder`` as PNG."""
    frames = []
    for index, frame in enumerate(iter_frames(CCTV5)):
        if index >= count:
            break
        if crop is not None:
            frame = np.ascontiguousarray(frame[crop[1] : crop[3], crop[0] : crop[2]])
        write_image(folder / f"{index:05d}.png", frame)
        frames.append(frame)
    return frames


def outline(frame: np.ndarray, points: list[tuple[int, int]], offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The mask a user makes without weights: the edge-snapping outline through ``points`` (inset coordinates,
    shifted by ``offset`` onto ``frame``)."""
    return outline_mask(prepare_scissors(frame), [(x + offset[0], y + offset[1]) for x, y in points])


def write_project(folder: Path, objects: list[tuple[str, np.ndarray, list[list[float]]]], num_frames: int) -> Path:
    entries = []
    for name, mask, curve in objects:
        write_mask_png(folder / f"{name}.png", mask)
        entries.append({"name": name, "frame": 0, "mask": f"{name}.png", "curve": curve})
    document = {
        "format": "interp-project",
        "version": 2,
        "video": "frames",
        "num_frames": num_frames,
        "objects": entries,
    }
    path = folder / "project.json"
    path.write_text(json.dumps(document))
    return path


def timed(make: Callable[[], list[np.ndarray]]) -> tuple[list[np.ndarray], float]:
    started = time.perf_counter()
    result = make()
    return result, time.perf_counter() - started


def speed(interpolator: Interpolator, count: int) -> None:
    print(f"\nspeed: the CCTV5 clip's first {count} frames (1280x592), x2 output frames")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frames = cctv5_frames(count, None, folder / "frames")
        plain, plain_s = timed(
            lambda: list(interpolate_frames(interpolator, frames, VideoOptions(nums=(1,), scene_threshold=0)))
        )
        near, far = outline(frames[0], NEAR_PLAYER, INSET[:2]), outline(frames[0], FAR_PLAYER, INSET[:2])
        num_output = 2 * count - 1
        for label, curves in (
            ("equal curves", ([[0, 0], [1, 1]], [[0, 0], [1, 1]])),
            ("near player x0.5, far player frozen", ([[0, 0], [1, 0.5]], [[0, 0.5], [1, 0.5]])),
        ):
            path = write_project(folder, [("near", near, curves[0]), ("far", far, curves[1])], num_output)
            project = parse_clip_project(json.loads(path.read_text()), folder)
            with ExitStack() as stack:
                started = time.perf_counter()
                job = open_job(project, interpolator, stack)
                tracked_s = time.perf_counter() - started
                outputs, render_s = timed(lambda job=job: [r.image for r in job.retimer.render_all(job.timings)])
            same = np.mean([psnr(a, b) for a, b in zip(outputs, plain[:num_output], strict=True)])
            print(
                f"{label}: tracking and opening {tracked_s:.1f} s, rendering {render_s:.1f} s "
                f"({render_s / len(outputs):.2f} s/frame, {job.retimer.network_passes} network passes); plain x2 "
                f"{plain_s:.1f} s ({plain_s / len(plain):.2f} s/frame): ratio {(tracked_s + render_s) / plain_s:.2f} "
                f"with tracking, {render_s / plain_s:.2f} without; PSNR against plain {same:.2f} dB"
            )


def sheet(interpolator: Interpolator, path: Path, count: int) -> None:
    """The inset with the near player at half speed: rows = the clip as it plays, the retimed output."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frames = cctv5_frames(count, INSET, folder / "frames")
        near = outline(frames[0], NEAR_PLAYER)
        project_path = write_project(folder, [("near", near, [[0, 0], [1, 0.5]])], count)
        project = parse_clip_project(json.loads(project_path.read_text()), folder)
        with ExitStack() as stack:
            job = open_job(project, interpolator, stack)
            picks = [round(k * (count - 1) / 4) for k in range(5)]
            retimed = [job.retimer.render(job.timings[j]) for j in picks]
            masks = [job.store.get(0, round(job.timings[j].objects[0])) for j in picks]
        rows = []
        for images in ([frames[j] for j in picks], [r.image for r in retimed]):
            rows.append(
                np.concatenate(
                    [cv2.copyMakeBorder(im, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=(255, 255, 255)) for im in images], 1
                )
            )
        drawn = rows[1].copy()
        for k, mask in enumerate(masks):
            contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            shifted = [c + np.array([[2 + k * (frames[0].shape[1] + 4), 2]]) for c in contours]
            cv2.drawContours(drawn, shifted, -1, (255, 0, 255), 1)
        image = np.concatenate([rows[0], drawn], 0)
        image = cv2.resize(image, (image.shape[1] * 2, image.shape[0] * 2), interpolation=cv2.INTER_CUBIC)
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 88])
        print(
            f"\nwrote {path}: top, the clip at output times 0, 1/4, 1/2, 3/4, 1; bottom, the near player at half speed"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: synthetic,real,speed,sheet")
    parser.add_argument("--seeds", default="0,1", help="synthetic clip seeds")
    parser.add_argument("--frames", type=int, default=24, help="frames per synthetic clip")
    parser.add_argument("--curves", default=",".join(CURVES), help="object 0's curves in the synthetic part")
    parser.add_argument("--clips", default="dog,blackswan,car-roundabout", help="DAVIS clips for the real part")
    parser.add_argument("--speed-frames", type=int, default=50, help="CCTV5 frames for the speed part")
    parser.add_argument("--sheet", type=Path, default=Path("docs/retime-cctv5.jpg"))
    parser.add_argument("--sheet-frames", type=int, default=120)
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    interpolator = Interpolator.load("rife-v4")
    started = time.perf_counter()
    if "synthetic" not in skip:
        synthetic(interpolator, [int(s) for s in args.seeds.split(",")], args.frames, args.curves.split(","))
    if "real" not in skip:
        real(interpolator, args.clips.split(","))
    if "speed" not in skip:
        speed(interpolator, args.speed_frames)
    if "sheet" not in skip:
        sheet(interpolator, args.sheet, args.sheet_frames)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\ntotal {time.perf_counter() - started:.0f} s, peak memory {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
