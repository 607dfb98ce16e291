"""The Ray side of a job: the model a worker loads, the actor that keeps it loaded, and errors turned into one line.

``VideoWorker`` is a plain class; ``interp.distributed.video_job`` makes it a Ray actor at run time (so importing this
module needs no Ray). Each worker sets torch to the CPUs Ray gave it and loads its model once, on first use.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from interp.distributed.chunks import ChunkSpec, render_chunk_bytes
from interp.engine.interpolator import Interpolator
from interp.errors import InputError, InterpError
from interp.io.decode import VideoInfo, probe_video

#: Said whenever a worker cannot read an input.
SHARED_STORAGE_HINT = "the input must be on storage every node can read, at the same path"


@dataclass(frozen=True)
class ModelSpec:
    """How a worker builds its interpolator (the arguments of ``Interpolator.load``)."""

    model: str | None
    checkpoint: str | None = None
    device: str | None = None
    fp16: bool = False
    scale: float = 1.0
    batch_size: int | None = None

    def load(self) -> Interpolator:
        return Interpolator.load(self.model, self.checkpoint, self.device, self.fp16, self.scale, self.batch_size)


@dataclass(frozen=True)
class ChunkDone:
    """A rendered chunk: its lossless segment and who made it.

    Attributes:
        index: the chunk's index.
        data: the segment's bytes (lossless FFV1 in Matroska).
        frames: output frames in it.
        rendered, encoded: frames rendered by the network and kept frames it encoded.
        node_id: the Ray node of the worker.
        pid: the worker's process id.
        seconds: time spent on the chunk.
    """

    index: int
    data: bytes
    frames: int
    rendered: int
    encoded: int
    node_id: str
    pid: int
    seconds: float


def node_id() -> str:
    """The Ray node this process runs on."""
    import ray  # only ever called inside a Ray worker

    return ray.get_runtime_context().get_node_id()


def check_readable(path: Path) -> None:
    """Raise ``InputError`` when this machine cannot read ``path`` as a video, saying it must be on shared storage."""
    try:
        probe_video(path)
    except InputError as exc:
        raise InputError(
            f"a Ray worker on {os.uname().nodename} cannot read {path}: {exc}; {SHARED_STORAGE_HINT}"
        ) from None


class VideoWorker:
    """A Ray actor that renders video chunks with one model, loaded once and kept across chunks."""

    def __init__(self, spec: ModelSpec, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.spec = spec
        self._interpolator: Interpolator | None = None

    def _model(self) -> Interpolator:
        if self._interpolator is None:
            self._interpolator = self.spec.load()
        return self._interpolator

    def ready(self, path: str | None = None) -> tuple[str, int]:
        """Load the model and check that ``path`` is readable here; return (node id, process id)."""
        if path is not None:
            check_readable(Path(path))
        self._model()
        return node_id(), os.getpid()

    def render(self, info: VideoInfo, chunk: ChunkSpec, iters: int) -> ChunkDone:
        """Render one chunk of ``info.path`` into a lossless segment."""
        started = time.perf_counter()
        if not info.path.is_file():
            raise InputError(f"a Ray worker on {os.uname().nodename} cannot read {info.path}; {SHARED_STORAGE_HINT}")
        data, stats = render_chunk_bytes(self._model(), info.path, info, chunk, iters)
        seconds = time.perf_counter() - started
        return ChunkDone(
            chunk.index, data, chunk.frame_count, stats.rendered, stats.encoded, node_id(), os.getpid(), seconds
        )


def unwrap_error(exc: BaseException) -> InterpError:
    """The project's error inside a Ray task error (re-raised as it is), else one line about the failed worker."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, InterpError):
        return cause
    text = str(cause if cause is not None else exc).strip().splitlines()
    return InterpError(f"a Ray worker failed: {text[-1] if text else type(exc).__name__}")
