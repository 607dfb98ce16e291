"""Benchmark: ``interp video --ray`` against the local path on this machine, Ray's fixed costs, the driver's memory.

    .venv/bin/python bench/bench_ray.py [--frames 60] [--overhead-frames 20] [--flat-frames 30 300] [--model rife-v4]

speed: the first ``--frames`` frames of ``../shared/data/videos/car-detection.mp4`` (768x432, 12.5 fps; cut to keep
the run short), x2, (a) locally through ``interpolate_video`` with torch on all the machine's CPUs and (b) through
``run_video_job`` on a local Ray with two workers of one CPU / one torch thread each, one chunk per worker. Output
frames/s of both (model loading excluded from both; the Ray figure includes starting the workers, and is also given
without it) and their ratio.

overhead: Ray's start-up (``ray.init`` of a local Ray), starting two workers (process + model load), and the cost of a
chunk: the first ``--overhead-frames`` frames rendered by one worker as one chunk and as chunks of 2 input frames; the
difference of the workers' time on their chunks, divided by the extra chunks, is the per-chunk overhead (seek and
decoding up to the chunk, fingerprint checks, the lossless segment); the job's wall times are printed too.

index: the first ``--septuplets`` shared Vimeo septuplets indexed with default options (DIS), locally in one
process and on Ray with two 1-CPU workers; per-septuplet cost and whether the files are identical.

join: the driver's own work per 1920x1080 frame on a generated pan of ``--join-frames`` frames: planning (decoding
the input and fingerprinting every frame) and joining (decoding a lossless segment and encoding H.264): the ceiling of
a job whatever the number of workers.

memory: the driver's peak resident memory (VmHWM of its process) for generated 160x96 pans of ``--flat-frames``
lengths (default 30 and 300: 10x longer), two workers, chunks of 10 input frames.

Each part runs in a fresh child process with its own Ray (bound to 127.0.0.1), so each peak is that run's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # keep Ray on 127.0.0.1 (before Ray is imported)

from bench_video import CAR_VIDEO, FLAT_FPS, make_pan_video

from interp.engine.video import VideoOptions, interpolate_video, plan_output
from interp.io.decode import probe_video
from interp.io.encode import ffmpeg_exe
from interp.models.paths import PROJECT_ROOT

VIMEO = PROJECT_ROOT.parent / "shared" / "data" / "eval" / "vimeo90k_septuplet"


def _peak_mb() -> float:
    """This process's resident-memory high-water mark (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cut_video(source: Path, target: Path, frames: int) -> Path:
    """The first ``frames`` frames of ``source`` (and its audio over the same time), H.264 CRF 0."""
    seconds = frames / probe_video(source).fps
    command = [ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-i", str(source), "-frames:v", str(frames),
               "-t", f"{seconds:.3f}", "-c:v", "libx264", "-crf", "0", "-c:a", "aac", str(target)]  # fmt: skip
    subprocess.run(command, check=True)
    return target


def child_local(config: dict) -> dict:
    import torch

    from interp.engine.interpolator import Interpolator

    torch.set_num_threads(os.cpu_count() or 1)
    interpolator = Interpolator.load(config["model"], device="cpu")
    with tempfile.TemporaryDirectory() as folder:
        result = interpolate_video(interpolator, Path(config["video"]), Path(folder) / "out.mp4", VideoOptions())
    return {"frames_out": result.stats.frames_out, "seconds": result.seconds, "threads": torch.get_num_threads()}


def _ray(cpus: int):
    from interp.distributed.cluster import import_ray

    ray = import_ray(loopback=True)
    started = time.perf_counter()
    ray.init(address="local", num_cpus=cpus, _node_ip_address="127.0.0.1", include_dashboard=False,
             logging_level="ERROR", log_to_driver=False)  # fmt: skip
    return ray, time.perf_counter() - started


def _job(ray, video: Path, workers: int, chunk_frames: int, model: str, folder: Path):
    from interp.distributed.cluster import WorkerShape
    from interp.distributed.video_job import run_video_job
    from interp.distributed.workers import ModelSpec

    info = probe_video(video)
    options = VideoOptions()
    return run_video_job(
        ray, WorkerShape(workers, 1.0, 0.0), ModelSpec(model, device="cpu"), info, plan_output(info, options),
        options, folder / "out.mp4", chunk_frames,
    )  # fmt: skip


def child_ray(config: dict) -> dict:
    from interp.distributed.cluster import WorkerShape
    from interp.distributed.video_job import start_workers
    from interp.distributed.workers import ModelSpec

    ray, init_seconds = _ray(2)
    video, model = Path(config["video"]), config["model"]
    try:
        started = time.perf_counter()
        actors = start_workers(ray, WorkerShape(2, 1.0, 0.0), ModelSpec(model, device="cpu"), video)
        workers_seconds = time.perf_counter() - started
        for actor in actors:
            ray.kill(actor)
        figures = {"init_seconds": init_seconds, "workers_seconds": workers_seconds}
        with tempfile.TemporaryDirectory() as folder:
            half = (probe_video(video).frame_count + 1) // 2 + 1  # two chunks: one per worker
            result, report = _job(ray, video, 2, half, model, Path(folder))
            figures.update(frames_out=result.stats.frames_out, seconds=result.seconds, chunks=report.chunks)
            short = Path(config["short"])
            runs = {}
            for chunk_frames in (config["overhead_frames"], 2):
                result, report = _job(ray, short, 1, chunk_frames, model, Path(folder))
                runs[chunk_frames] = (result.seconds, report.chunks, sum(report.chunk_seconds))
            (one, n_one, busy_one), (many, n_many, busy_many) = runs[config["overhead_frames"]], runs[2]
            figures.update(one_chunk=[one, n_one, busy_one], many_chunks=[many, n_many, busy_many])
            figures["per_chunk_seconds"] = (busy_many - busy_one) / (n_many - n_one)
    finally:
        ray.shutdown()
    return figures


def child_memory(config: dict) -> dict:
    ray, _ = _ray(2)
    try:
        with tempfile.TemporaryDirectory() as folder:
            result, report = _job(ray, Path(config["video"]), 2, 10, config["model"], Path(folder))
    finally:
        ray.shutdown()
    return {"frames_out": result.stats.frames_out, "chunks": report.chunks, "peak_mb": _peak_mb()}


def child_index(config: dict) -> dict:
    """Index the same septuplets locally (one process, one thread) and on Ray (2 workers x 1 CPU), default options."""
    import shutil

    import cv2

    from interp.distributed.cluster import WorkerShape
    from interp.distributed.index_job import run_index_job
    from interp.research.indexer import IndexOptions, index_dataset
    from interp.research.vimeo import list_septuplets

    cv2.setNumThreads(1)
    folder = Path(config["folder"])
    for side in ("local", "ray"):
        for name in config["septuplets"]:
            shutil.copytree(VIMEO / name, folder / side / name, ignore=shutil.ignore_patterns("dis_index_*"))
    options = IndexOptions(method="dis")
    started = time.perf_counter()
    index_dataset(list_septuplets(folder / "local"), options, workers=1)
    local = time.perf_counter() - started
    ray, _ = _ray(2)
    try:
        started = time.perf_counter()
        report = run_index_job(ray, WorkerShape(2, 1.0, 0.0), list_septuplets(folder / "ray"), options)
        on_ray = time.perf_counter() - started
    finally:
        ray.shutdown()
    same = all(
        a.read_bytes() == (folder / "ray" / a.relative_to(folder / "local")).read_bytes()
        for a in (folder / "local").rglob("dis_index_*")
    )
    return {"septuplets": len(config["septuplets"]), "local": local, "ray": on_ray, "written": report.index.written,
            "same": same}  # fmt: skip


def child_join(config: dict) -> dict:
    """The driver's own work per frame at ``config["size"]``: planning (decode the input, fingerprint every frame) and
    joining (decode a lossless segment, encode H.264 with the local path's writer)."""
    from interp.distributed.chunks import fingerprint, write_lossless
    from interp.io.decode import iter_frames
    from interp.io.encode import FfmpegWriter

    video = Path(config["video"])
    started = time.perf_counter()
    count = sum(1 for frame in iter_frames(video) if fingerprint(frame))
    planning = time.perf_counter() - started
    segment = video.with_suffix(".mkv")
    write_lossless(iter_frames(video), segment, FLAT_FPS)
    started = time.perf_counter()
    with FfmpegWriter(video.with_suffix(".out.mp4"), FLAT_FPS) as writer:
        for frame in iter_frames(segment):
            writer.write(frame)
    return {"frames": count, "plan_fps": count / planning, "join_fps": count / (time.perf_counter() - started)}


CHILDREN = {"join": child_join, "local": child_local, "ray": child_ray, "memory": child_memory, "index": child_index}


def run_child(kind: str, config: dict) -> dict:
    """``CHILDREN[kind](config)`` in a fresh Python process (one torch thread per worker, passive waiting)."""
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    env.pop("OMP_NUM_THREADS", None)  # the local run uses every CPU; Ray workers set their own
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(config)]
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"the {kind} run failed:\n{done.stderr.strip()[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=60, help="first N frames of car-detection.mp4 (default 60)")
    parser.add_argument("--overhead-frames", type=int, default=20, help="frames of the per-chunk runs (default 20)")
    parser.add_argument("--flat-frames", type=int, nargs=2, default=[30, 300], help="generated video lengths")
    parser.add_argument("--septuplets", type=int, default=8, help="Vimeo septuplets to index (default 8)")
    parser.add_argument("--model", default="rife-v4")
    parser.add_argument("--join-frames", type=int, default=50, help="1080p frames of the join part (default 50)")
    parser.add_argument("--parts", nargs="+", default=["speed", "memory", "index", "join"], help="what to run")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child[0]](json.loads(args.child[1]))), flush=True)
        return
    print(f"{os.cpu_count()} CPUs, load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        clip = cut_video(CAR_VIDEO, Path(folder) / "car.mp4", args.frames)
        short = cut_video(CAR_VIDEO, Path(folder) / "car-short.mp4", args.overhead_frames)
        config = {"video": str(clip), "short": str(short), "model": args.model, "overhead_frames": args.overhead_frames}
        if "speed" in args.parts:
            local = run_child("local", config)
            local_fps = local["frames_out"] / local["seconds"]
            print(f"local: {local['frames_out']} frames in {local['seconds']:.1f} s = {local_fps:.2f} frames/s "
                  f"({local['threads']} torch threads, model load excluded)")  # fmt: skip
            ray = run_child("ray", config)
            ray_fps = ray["frames_out"] / ray["seconds"]
            busy = ray["seconds"] - ray["workers_seconds"]
            print(f"ray: {ray['frames_out']} frames in {ray['seconds']:.1f} s = {ray_fps:.2f} frames/s "
                  f"({ray['chunks']} chunks, 2 workers x 1 thread; {ray['frames_out'] / busy:.2f} frames/s without the "
                  f"{ray['workers_seconds']:.1f} s of starting the workers, measured apart); "
                  f"ray / local = {ray_fps / local_fps:.2f}")  # fmt: skip
            print(f"ray start-up (ray.init, local) {ray['init_seconds']:.1f} s; two workers started and models loaded "
                  f"{ray['workers_seconds']:.1f} s")  # fmt: skip
            (one, n_one, busy_one), (many, n_many, busy_many) = ray["one_chunk"], ray["many_chunks"]
            print(f"per chunk: {args.overhead_frames} frames, one worker: {n_one} chunk {busy_one:.1f} s of work "
                  f"({one:.1f} s with starting the worker), {n_many} chunks {busy_many:.1f} s ({many:.1f} s) -> "
                  f"{ray['per_chunk_seconds']:.3f} s of work per extra chunk")  # fmt: skip
        if "memory" in args.parts:
            for count in args.flat_frames:
                video = make_pan_video(Path(folder) / f"pan{count}.mp4", count, 160, 96)
                memory = run_child("memory", {"video": str(video), "model": args.model})
                print(f"driver memory: {count} input frames ({memory['frames_out']} out, {memory['chunks']} chunks): "
                      f"peak {memory['peak_mb']:.0f} MiB")  # fmt: skip
        if "index" in args.parts:
            names = sorted(p.name for p in VIMEO.iterdir() if p.is_dir())[: args.septuplets]
            index = run_child("index", {"folder": str(folder), "septuplets": names})
            print(f"index (DIS, default options, {index['septuplets']} Vimeo septuplets 448x256): local 1 process "
                  f"{index['local']:.1f} s, ray 2 workers {index['ray']:.1f} s (Ray start-up excluded, workers' start "
                  f"included); {index['written']} files, identical: {index['same']}")  # fmt: skip
        if "join" in args.parts:
            video = make_pan_video(Path(folder) / "pan1080.mp4", args.join_frames, 1920, 1080)
            join = run_child("join", {"video": str(video)})
            print(f"driver at 1920x1080 ({join['frames']} frames): planning (decode + fingerprint) "
                  f"{join['plan_fps']:.1f} frames/s, joining (decode lossless + H.264 encode) {join['join_fps']:.1f} "
                  "frames/s")  # fmt: skip


if __name__ == "__main__":
    main()
