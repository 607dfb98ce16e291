"""``interp video --ray``: a video rendered chunk by chunk by Ray actors and joined into one MP4.

The driver reads the video once to decide the steps (``interp.distributed.chunks.plan_chunks``), keeps at most
``IN_FLIGHT_PER_WORKER`` chunks per worker submitted (the reading waits meanwhile: back pressure), writes each
returned segment next to the output and joins the segments in order as they arrive. A worker process that dies is
restarted by Ray and its chunks are retried; each chunk is joined once, by index.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from interp.core.progress import Progress
from interp.distributed.chunks import DEFAULT_CHUNK_FRAMES, SegmentJoiner, plan_chunks
from interp.distributed.cluster import WorkerShape
from interp.distributed.units import IN_FLIGHT_PER_WORKER, start_actors
from interp.distributed.workers import ChunkDone, ModelSpec, VideoWorker, unwrap_error
from interp.engine.video import OutputPlan, StreamStats, VideoOptions, VideoResult
from interp.io.decode import VideoInfo, iter_frames


@dataclass
class RayReport:
    """Where the work went: workers started and the chunks each node rendered."""

    workers: int
    chunks: int = 0
    by_node: dict[str, int] = field(default_factory=dict)
    chunk_seconds: list[float] = field(default_factory=list)

    def add(self, done: ChunkDone) -> None:
        self.chunks += 1
        self.by_node[done.node_id] = self.by_node.get(done.node_id, 0) + 1
        self.chunk_seconds.append(done.seconds)

    def describe(self) -> str:
        nodes = ", ".join(f"{node[:8]}: {count}" for node, count in sorted(self.by_node.items()))
        return f"ray: {self.chunks} chunks on {len(self.by_node)} node(s) by {self.workers} worker(s) ({nodes})"


def start_workers(ray: ModuleType, shape: WorkerShape, spec: ModelSpec, path: Path) -> list:
    """Start the actors, wait until each has loaded its model and checked it can read ``path``."""
    return start_actors(ray, VideoWorker, shape, (spec,), (str(path),))


OnChunk = Callable[[ChunkDone], None]


def run_video_job(
    ray: ModuleType,
    shape: WorkerShape,
    spec: ModelSpec,
    info: VideoInfo,
    plan: OutputPlan,
    options: VideoOptions,
    out: Path,
    chunk_frames: int = DEFAULT_CHUNK_FRAMES,
    crf: int = 18,
    progress: Progress | None = None,
    on_chunk: OnChunk | None = None,
) -> tuple[VideoResult, RayReport]:
    """Interpolate ``info.path`` into ``out`` on Ray; the same frames as ``interp.engine.video.interpolate_video``.

    ``out`` appears only when every chunk succeeded; the segments' folder is removed in every case.

    Args:
        ray: the connected ``ray`` module (``interp.distributed.cluster.ray_session``).
        shape: how many workers and what each asks for.
        spec: the model every worker loads.
        info, plan, options: as for the local path.
        out: the output MP4.
        chunk_frames: input frames per chunk at most.
        crf: H.264 quality.
        progress: called with (output frames done, expected total) after each chunk.
        on_chunk: called with each finished chunk (tests use it to kill a worker mid-job).
    """
    started = time.perf_counter()
    actors = start_workers(ray, shape, spec, info.path)
    stats = StreamStats()
    report = RayReport(len(actors))
    pending: dict = {}
    load = [0] * len(actors)

    def collect(joiner: SegmentJoiner) -> None:
        (ref,), _ = ray.wait(list(pending), num_returns=1)
        load[pending.pop(ref)] -= 1
        try:
            done: ChunkDone = ray.get(ref)
        except ray.exceptions.RayError as exc:
            raise unwrap_error(exc) from None
        joiner.put(done.index, done.data)
        stats.rendered += done.rendered
        stats.encoded += done.encoded
        report.add(done)
        if progress is not None:
            progress(joiner.frames, max(plan.frame_count, joiner.frames))
        if on_chunk is not None:
            on_chunk(done)

    try:
        with SegmentJoiner(out, info, plan, crf) as joiner:
            count = 0
            for chunk in plan_chunks(iter_frames(info.path), options, chunk_frames, stats, str(info.path)):
                while len(pending) >= IN_FLIGHT_PER_WORKER * len(actors):
                    collect(joiner)
                worker = min(range(len(actors)), key=load.__getitem__)
                pending[actors[worker].render.remote(info, chunk, options.iters)] = worker
                load[worker] += 1
                count += 1
            while pending:
                collect(joiner)
            joiner.finish(count)
    finally:
        for a in actors:
            ray.kill(a)
    return VideoResult(out, info, plan, stats, time.perf_counter() - started), report
