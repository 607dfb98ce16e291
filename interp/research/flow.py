"""Optical flow for distance indexing: OpenCV's DIS (no weights) or torchvision's RAFT-large (registry ``raft-large``).

Every estimator maps frames (``H x W x 3`` uint8 RGB) and index pairs ``(a, b)`` to flows ``F_a->b``: ``H x W x 2``
float32 pixels (x then y) on frame ``a``'s grid, so that ``frame_a(p) ~ frame_b(p + F_a->b(p))``.

``scale`` < 1 estimates at reduced resolution and upsamples the flow bilinearly, multiplying the vectors by the size
ratio (faster, coarser).

``ChainedFlow`` builds a long-range flow ``F_a->b`` from the flows between neighbouring frames,
``F_a->b(p) = F_a->a+1(p) + F_a+1->b(p + F_a->a+1(p))``. DIS, a patch-matching method, often loses a textured
object that moves far against a textured background; between neighbouring frames it rarely does. On synthetic
septuplets (``python -m interp dataset accuracy``) chaining cut DIS's index error on moving objects about
eightfold, so the indexer chains DIS flows by default. RAFT finds large motions itself and runs direct, as in the
reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from interp.engine.device import pick_device
from interp.errors import InputError
from interp.models.paths import is_present, resolve_checkpoint
from interp.models.registry import get_spec

FLOW_METHODS = ("auto", "dis", "raft")
RAFT_MODEL = "raft-large"
#: Refinement iterations of RAFT (the reference runs RAFT with 20).
RAFT_ITERS = 20
RAFT_MIN_SIDE = 128
DIS_PRESETS = {
    "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
    "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}
DEFAULT_DIS_PRESET = "medium"

Pair = tuple[int, int]


class FlowEstimator(Protocol):
    """What the indexer needs from a flow method."""

    name: str

    def flows(self, frames: Sequence[np.ndarray], pairs: Sequence[Pair]) -> dict[Pair, np.ndarray]:
        """``F_a->b`` for every ``(a, b)`` in ``pairs`` (see the module docstring)."""
        ...


def check_scale(scale: float) -> float:
    """Validate a flow-estimation scale in (0, 1]."""
    if not 0 < scale <= 1:
        raise InputError(f"the flow scale must be in (0, 1], got {scale!r}")
    return float(scale)


def resize_frame(frame: np.ndarray, scale: float) -> np.ndarray:
    """Shrink a frame by ``scale`` (area averaging); unchanged at 1."""
    if scale == 1:
        return frame
    height, width = frame.shape[:2]
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def upsample_flow(flow: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize an ``h x w x 2`` flow to ``height x width`` (bilinear), scaling the vectors by the size ratio."""
    small_h, small_w = flow.shape[:2]
    if (small_h, small_w) == (height, width):
        return flow
    big = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR)
    big[..., 0] *= width / small_w
    big[..., 1] *= height / small_h
    return big


def _check_frames(frames: Sequence[np.ndarray]) -> tuple[int, int]:
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise InputError(f"all frames must have the same size, got {sorted(shapes)}")
    shape = next(iter(shapes))
    if len(shape) != 3 or shape[2] != 3:
        raise InputError(f"frames must be H x W x 3 RGB, got shape {shape}")
    return shape[0], shape[1]


class DisFlow:
    """OpenCV's Dense Inverse Search flow on grey frames; CPU only, no weights."""

    name = "dis"

    def __init__(self, preset: str = DEFAULT_DIS_PRESET, scale: float = 1.0) -> None:
        if preset not in DIS_PRESETS:
            raise InputError(f"DIS preset must be one of {', '.join(DIS_PRESETS)}, got {preset!r}")
        self.preset = preset
        self.scale = check_scale(scale)
        self._dis = cv2.DISOpticalFlow_create(DIS_PRESETS[preset])

    def flows(self, frames: Sequence[np.ndarray], pairs: Sequence[Pair]) -> dict[Pair, np.ndarray]:
        height, width = _check_frames(frames)
        needed = sorted({i for pair in pairs for i in pair})
        grey = {i: cv2.cvtColor(resize_frame(frames[i], self.scale), cv2.COLOR_RGB2GRAY) for i in needed}
        return {
            (a, b): upsample_flow(self._dis.calc(grey[a], grey[b], None), height, width).astype(np.float32)
            for a, b in pairs
        }


class RaftFlow:
    """torchvision's RAFT-large with the registry's ``raft-large`` weights, batched, on CPU or CUDA."""

    name = "raft"

    def __init__(
        self,
        checkpoint: Path,
        device: torch.device | str | None = None,
        scale: float = 1.0,
        iters: int = RAFT_ITERS,
        batch_size: int = 8,
    ) -> None:
        from torchvision.models.optical_flow import raft_large  # torchvision loads slowly; only when RAFT is used

        self.device = pick_device(device)
        self.scale = check_scale(scale)
        self.iters = iters
        self.batch_size = batch_size
        network = raft_large(weights=None, progress=False)
        network.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True), strict=True)
        self.network = network.to(self.device).eval()

    @classmethod
    def from_registry(cls, device: torch.device | str | None = None, scale: float = 1.0) -> RaftFlow:
        """RAFT with the weights the registry names; ``WeightsError`` (file, places searched, URL) when absent."""
        return cls(resolve_checkpoint(get_spec(RAFT_MODEL)), device, scale)

    def _tensor(self, frame: np.ndarray) -> torch.Tensor:
        """RGB uint8 -> 1 x 3 x h x w in [-1, 1] (RAFT's input range), padded by replication to a multiple of 8 and
        to at least ``RAFT_MIN_SIDE`` (RAFT's correlation pyramid needs it)."""
        tensor = torch.from_numpy(np.ascontiguousarray(resize_frame(frame, self.scale))).permute(2, 0, 1)[None]
        tensor = tensor.float() / 127.5 - 1.0
        height, width = tensor.shape[2:]
        pad_h = max(RAFT_MIN_SIDE, -(-height // 8) * 8) - height
        pad_w = max(RAFT_MIN_SIDE, -(-width // 8) * 8) - width
        return F.pad(tensor, (0, pad_w, 0, pad_h), mode="replicate")

    @torch.inference_mode()
    def flows(self, frames: Sequence[np.ndarray], pairs: Sequence[Pair]) -> dict[Pair, np.ndarray]:
        height, width = _check_frames(frames)
        small_h, small_w = resize_frame(frames[0], self.scale).shape[:2]
        needed = sorted({i for pair in pairs for i in pair})
        tensors = {i: self._tensor(frames[i]) for i in needed}
        out: dict[Pair, np.ndarray] = {}
        for start in range(0, len(pairs), self.batch_size):
            chunk = pairs[start : start + self.batch_size]
            first = torch.cat([tensors[a] for a, _ in chunk]).to(self.device)
            second = torch.cat([tensors[b] for _, b in chunk]).to(self.device)
            predictions = self.network(first, second, num_flow_updates=self.iters)[-1]
            for pair, flow in zip(chunk, predictions[:, :, :small_h, :small_w].cpu().numpy(), strict=True):
                out[pair] = upsample_flow(np.ascontiguousarray(flow.transpose(1, 2, 0)), height, width)
        return out


def compose_flows(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``F_a->c`` from ``F_a->b`` (``first``) and ``F_b->c`` (``second``): ``first + second(p + first(p))``.

    ``second`` is sampled bilinearly, clamped at the border; all ``H x W x 2`` float32.
    """
    height, width = first.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    map_x = (xs + first[..., 0]).astype(np.float32)
    map_y = (ys + first[..., 1]).astype(np.float32)
    sampled = cv2.remap(second, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return (first + sampled).astype(np.float32)


class ChainedFlow:
    """Long-range flows composed from neighbouring-frame flows of another estimator (see the module docstring)."""

    def __init__(self, inner: FlowEstimator) -> None:
        self.inner = inner
        self.name = f"{inner.name}+chain"

    def flows(self, frames: Sequence[np.ndarray], pairs: Sequence[Pair]) -> dict[Pair, np.ndarray]:
        steps_needed = set()
        for a, b in pairs:
            step = 1 if b > a else -1
            steps_needed.update((n, n + step) for n in range(a, b, step))
        steps = self.inner.flows(frames, sorted(steps_needed))
        out: dict[Pair, np.ndarray] = {}
        for a, b in pairs:
            step = 1 if b > a else -1
            flow = steps[a, a + step]
            for n in range(a + step, b, step):
                flow = compose_flows(flow, steps[n, n + step])
            out[a, b] = flow
        return out


def choose_method(requested: str) -> tuple[str, str]:
    """Resolve ``auto`` to ``raft`` (weights present) or ``dis``; returns ``(method, why)`` for the user."""
    if requested not in FLOW_METHODS:
        raise InputError(f"flow method must be one of {', '.join(FLOW_METHODS)}, got {requested!r}")
    spec = get_spec(RAFT_MODEL)
    if requested == "auto":
        if is_present(spec):
            return "raft", f"RAFT-large (weights {spec.checkpoint} found)"
        return "dis", f"OpenCV DIS (no {spec.checkpoint} in checkpoints/; `python -m interp weights fetch {spec.name}`)"
    return requested, "RAFT-large" if requested == "raft" else "OpenCV DIS"


def default_chain(method: str) -> bool:
    """Whether ``method`` chains neighbouring-frame flows by default (DIS yes, RAFT no)."""
    return method == "dis"


def check_available(method: str) -> None:
    """Raise the registry's ``WeightsError`` (file, places searched, URL) when ``method`` needs absent weights."""
    if method == "raft":
        resolve_checkpoint(get_spec(RAFT_MODEL))


def make_estimator(
    method: str, device: torch.device | str | None = None, scale: float = 1.0, chain: bool | None = None
) -> FlowEstimator:
    """A ready estimator for ``dis`` or ``raft`` (``WeightsError`` when RAFT's weights are missing).

    ``chain``: compose long-range flows from neighbouring ones (default: ``default_chain(method)``).
    """
    estimator: FlowEstimator
    if method == "dis":
        estimator = DisFlow(scale=scale)
    elif method == "raft":
        estimator = RaftFlow.from_registry(device, scale)
    else:
        raise InputError(f"flow method must be dis or raft here, got {method!r}")
    return ChainedFlow(estimator) if (default_chain(method) if chain is None else chain) else estimator
