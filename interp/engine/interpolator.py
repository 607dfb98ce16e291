"""The interpolation engine: encode a frame pair once, render any number of time/distance maps against it.

Like Segment Anything's predictor, the expensive per-image work (padding, device transfer, the per-frame encoder of
RIFE v4) happens once per frame in ``encode_frame``, the per-pair work (AMT-S's correlation volume, EMA-VFI's
backbone; see ``interp.models.pair_network``) once per pair in ``encode_pair``; ``render`` then takes a list of maps
and runs them through the network in batches. Constant maps (a plain time ``t``) and per-pixel maps take the same
path. The same object serves the CLI, the app and video.

Images go in as ``H x W x 3`` RGB, ``uint8`` or float in [0, 1]; frames come out as ``H x W x 3`` float32 RGB in
[0, 1]. Maps are a float (constant) or an ``H x W`` float array in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from interp.core.progress import Progress
from interp.engine.device import pick_device
from interp.errors import InputError
from interp.limits import MAX_ITERS
from interp.models.registry import DEFAULT_MODEL, Kind, ModelSpec, PadMode, get_spec
from interp.models.weights import load_network

#: Flow-estimation scales the networks support (as Practical-RIFE): < 1 for high resolution, > 1 for small frames.
SCALES: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)
#: Iterations of the [R] models' reference-based estimation unless told otherwise (as the reference scripts).
DEFAULT_ITERS = 2
#: Pixels (maps x padded frame area) per network call when the batch size is automatic.
CPU_PIXEL_BUDGET = 4 * 448 * 256
CUDA_PIXEL_BUDGET = 8 * 1920 * 1088
MAX_AUTO_BATCH = 8

MapLike = float | np.ndarray


@dataclass(frozen=True)
class EncodedFrame:
    """One frame ready for the network: padded ``1 x 3 x Hp x Wp`` on the device, plus per-frame features."""

    tensor: torch.Tensor
    features: torch.Tensor | None
    height: int
    width: int


@dataclass(frozen=True)
class FramePair:
    """Two encoded frames of the same size, and what the network computed from them before seeing a map
    (``context``, from its ``encode_pair``); render any number of maps against it."""

    frame0: EncodedFrame
    frame1: EncodedFrame
    context: Any = None

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) of the original frames."""
        return self.frame0.height, self.frame0.width


@dataclass(frozen=True)
class Reference:
    """A reference for the iterative [R] models: an image (``H x W x 3`` in [0, 1]) and the map it was rendered at."""

    image: np.ndarray
    map: MapLike


def _uniform_end(map_tensor: torch.Tensor) -> float | None:
    """0.0 or 1.0 when the map is that value everywhere, else None."""
    for end in (0.0, 1.0):
        if bool((map_tensor == end).all()):
            return end
    return None


def auto_batch_size(device: torch.device, height: int, width: int) -> int:
    """Maps per network call for padded frames of ``height x width``: as many as fit a pixel budget, 1 to 8.

    On this 2-core CPU, 4 maps per call rendered 16 maps at 448x256 in 0.114 s per frame against 0.143 s one at a
    time; larger frames gain less and cost memory, so the budget keeps 720p and up at one map per call on CPU.
    """
    budget = CUDA_PIXEL_BUDGET if device.type == "cuda" else CPU_PIXEL_BUDGET
    return int(min(MAX_AUTO_BATCH, max(1, budget // (height * width))))


def check_scale(scale: float) -> float:
    """Validate a flow-estimation scale."""
    if scale not in SCALES:
        raise InputError(f"scale must be one of {', '.join(str(s) for s in SCALES)}, got {scale!r}")
    return float(scale)


def check_iters(iters: int) -> int:
    """Validate the number of iterations of the [R] models (1 to ``MAX_ITERS``)."""
    if isinstance(iters, bool) or not isinstance(iters, int | np.integer) or not 1 <= iters <= MAX_ITERS:
        raise InputError(f"iters must be a whole number between 1 and {MAX_ITERS}, got {iters!r}")
    return int(iters)


def _as_float_image(image: np.ndarray) -> np.ndarray:
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"an image must be H x W x 3 RGB, got shape {image.shape}")
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    out = np.asarray(image, dtype=np.float32)
    if not np.isfinite(out).all() or out.min() < 0.0 or out.max() > 1.0:
        raise InputError("a float image must hold finite values in [0, 1]")
    return out


class Interpolator:
    """A loaded interpolation network on a device, with the per-pair and per-map logic around it.

    Args:
        network: a ``PairNetwork`` (``IFNetV4``, ``IFNetDI``, ``AMTDI``, ``IFRNetDI``, ``EMAVFIDI``).
        spec: its registry entry (tells iterative / map channels / index / padding / channel order).
        device: where to run; CUDA when available by default.
        fp16: half precision (CUDA only).
        scale: flow-estimation scale, one of ``SCALES`` (0.5 or 0.25 for 4K-ish frames).
        batch_size: maps per network call; ``None`` picks it from the frame size (``auto_batch_size``).
        channels_last: use the channels-last memory layout (faster on CPU and on tensor cores).
    """

    def __init__(
        self,
        network: nn.Module,
        spec: ModelSpec,
        device: torch.device | str | None = None,
        fp16: bool = False,
        scale: float = 1.0,
        batch_size: int | None = None,
        channels_last: bool = True,
    ) -> None:
        self.spec = spec
        self.device = pick_device(device)
        if fp16 and self.device.type != "cuda":
            raise InputError("fp16 needs a CUDA device; drop --fp16 on CPU")
        self.dtype = torch.float16 if fp16 else torch.float32
        self.scale = check_scale(scale)
        if batch_size is not None and batch_size < 1:
            raise InputError(f"batch size must be at least 1, got {batch_size!r}")
        self.batch_size = batch_size
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.network = network.to(self.device, self.dtype, memory_format=self.memory_format).eval()

    @classmethod
    def load(
        cls,
        name: str = DEFAULT_MODEL,
        checkpoint: Path | str | None = None,
        device: torch.device | str | None = None,
        fp16: bool = False,
        scale: float = 1.0,
        batch_size: int | None = None,
    ) -> Interpolator:
        """Load a registry model by name (and optional explicit checkpoint path)."""
        spec = get_spec(name, Kind.INTERPOLATOR)
        return cls(load_network(spec, checkpoint), spec, device, fp16, scale, batch_size)

    # ---------------------------------------------------------------- per frame / per pair
    def _pad_to(self, height: int, width: int) -> tuple[int, int]:
        multiple = self.network.pad_multiple(self.scale)
        least = -(-self.network.min_side(self.scale) // multiple) * multiple
        return max(least, -(-height // multiple) * multiple), max(least, -(-width // multiple) * multiple)

    def _padding(self, height: int, width: int) -> tuple[int, int, int, int]:
        """(left, right, top, bottom) padding to the network's multiple, where the spec's ``pad_mode`` puts it."""
        padded_h, padded_w = self._pad_to(height, width)
        extra_h, extra_w = padded_h - height, padded_w - width
        if self.spec.pad_mode == PadMode.CENTRED_REPLICATE:
            return extra_w // 2, extra_w - extra_w // 2, extra_h // 2, extra_h - extra_h // 2
        return 0, extra_w, 0, extra_h

    def _pad(self, tensor: torch.Tensor, height: int, width: int, is_map: bool = False) -> torch.Tensor:
        """Pad to the network's multiple as each reference does: the RIFE family's images with zeros at the
        bottom/right (on UCF101 it scored 34.08 dB against 34.07 dB for edge replication), the other families' images
        by edge replication, centred; maps always by edge replication, at the same place as the images."""
        padding = self._padding(height, width)
        if not any(padding):
            return tensor
        replicate = is_map or self.spec.pad_mode == PadMode.CENTRED_REPLICATE
        return F.pad(tensor, padding, mode="replicate" if replicate else "constant")

    def _crop(self, tensor: torch.Tensor, pair: FramePair) -> torch.Tensor:
        """Cut the frames' area out of a padded ``B x C x Hp x Wp`` tensor."""
        height, width = pair.size
        left, _, top, _ = self._padding(height, width)
        return tensor[:, :, top : top + height, left : left + width]

    def _image_tensor(self, image: np.ndarray) -> torch.Tensor:
        """``H x W x 3`` RGB -> padded ``1 x 3 x Hp x Wp`` on the device, in the channel order the network expects."""
        array = _as_float_image(image)
        if self.spec.bgr_input:
            array = array[:, :, ::-1]
        tensor = torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))[None]
        return self._to_device(self._pad(tensor, *array.shape[:2]))

    def _to_device(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.to(self.device, self.dtype).contiguous(memory_format=self.memory_format)

    @torch.inference_mode()
    def encode_frame(self, image: np.ndarray) -> EncodedFrame:
        """Pad, move and encode one ``H x W x 3`` RGB frame (uint8, or float in [0, 1])."""
        tensor = self._image_tensor(image)
        return EncodedFrame(tensor, self.network.encode_frame(tensor), image.shape[0], image.shape[1])

    def encode_pair(self, img0: np.ndarray | EncodedFrame, img1: np.ndarray | EncodedFrame) -> FramePair:
        """Encode two frames (or reuse already encoded ones) and the pair; they must be the same size."""
        frame0 = img0 if isinstance(img0, EncodedFrame) else self.encode_frame(img0)
        frame1 = img1 if isinstance(img1, EncodedFrame) else self.encode_frame(img1)
        if (frame0.height, frame0.width) != (frame1.height, frame1.width):
            raise InputError(
                f"frames differ in size: frame 0 is {frame0.width}x{frame0.height}, "
                f"frame 1 is {frame1.width}x{frame1.height}; resize one to the other first"
            )
        with torch.inference_mode():
            context = self.network.encode_pair(
                frame0.tensor, frame1.tensor, frame0.features, frame1.features, self.scale
            )
        return FramePair(frame0, frame1, context)

    def window(
        self, pair: FramePair, top: int, left: int, height: int, width: int, max_share: float = 0.6
    ) -> tuple[FramePair, tuple[int, int]] | None:
        """A window of ``pair`` as a pair of its own, to render uniform maps on part of the frame only.

        The window (frame pixels; it may reach past the edges) is widened to the network's padding multiple and
        minimum size on the padded grid, so the network sees whole blocks as it does on the full frame. Returns the
        window pair and the frame position ``(row, column)`` of its top-left pixel (negative where it starts in the
        padding), or None when the widened window would cover more than ``max_share`` of the padded frame (then the
        whole frame is as cheap). Away from the window's edges the result matches the full frame's closely, not
        exactly: the flow estimate sees less context.
        """
        multiple = self.network.pad_multiple(self.scale)
        least = -(-self.network.min_side(self.scale) // multiple) * multiple
        pad_left, _, pad_top, _ = self._padding(*pair.size)
        full_h, full_w = pair.frame0.tensor.shape[2:]
        spans = []
        for start, length, full, pad in ((top, height, full_h, pad_top), (left, width, full_w, pad_left)):
            low = max(0, (start + pad) // multiple * multiple)
            high = min(full, -(-(start + length + pad) // multiple) * multiple)
            high = min(full, max(high, low + least, low + multiple))
            low = max(0, min(low, high - least))
            spans.append((low, high))
        (y0, y1), (x0, x1) = spans
        if (y1 - y0) * (x1 - x0) > max_share * full_h * full_w:
            return None
        frames = []
        for frame in (pair.frame0, pair.frame1):
            tensor = frame.tensor[:, :, y0:y1, x0:x1]
            features = frame.features
            if features is not None:
                features = features[:, :, y0:y1, x0:x1] if features.shape[2:] == frame.tensor.shape[2:] else None
                features = features if features is not None else self.network.encode_frame(tensor)
            frames.append(EncodedFrame(tensor, features, y1 - y0, x1 - x0))
        with torch.inference_mode():
            context = self.network.encode_pair(
                frames[0].tensor, frames[1].tensor, frames[0].features, frames[1].features, self.scale
            )
        return FramePair(frames[0], frames[1], context), (y0 - pad_top, x0 - pad_left)

    # ---------------------------------------------------------------- maps
    @staticmethod
    def _check_map(value: MapLike, pair: FramePair) -> None:
        """Raise ``InputError`` unless ``value`` is a number or an ``H x W`` array, finite and in [0, 1]."""
        if isinstance(value, np.ndarray):
            if value.shape != pair.size:
                raise InputError(
                    f"a map must be H x W = {pair.size[0]} x {pair.size[1]} like the frames, got {value.shape}"
                )
            low, high = float(np.min(value)), float(np.max(value))
            if not (np.isfinite(low) and np.isfinite(high)) or low < 0.0 or high > 1.0:
                raise InputError(f"map values must be finite and in [0, 1], got [{low:g}, {high:g}]")
        elif not 0.0 <= float(value) <= 1.0:
            raise InputError(f"a time or distance must be in [0, 1], got {float(value)!r}")

    def _map_tensor(self, value: MapLike, pair: FramePair) -> torch.Tensor:
        """A checked map as a padded ``1 x 1 x Hp x Wp`` tensor on the device."""
        self._check_map(value, pair)
        if isinstance(value, np.ndarray):
            array = np.ascontiguousarray(value, dtype=np.float32)
            tensor = self._pad(torch.from_numpy(array)[None, None], *pair.size, is_map=True)
            return tensor.to(self.device, self.dtype)
        return torch.full((1, 1, *pair.frame0.tensor.shape[2:]), float(value), device=self.device, dtype=self.dtype)

    def _run(self, pair: FramePair, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        cond = cond.contiguous(memory_format=self.memory_format)
        return self.network.render_maps(pair.context, cond, self.scale)

    def _render_batch(
        self, pair: FramePair, targets: torch.Tensor, iters: int, reference: Reference | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Render ``targets`` (B x 1 x Hp x Wp); iterative for the [R] models. Returns (images, flows)."""
        if not self.spec.iterative:
            return self._run(pair, targets)
        batch = targets.shape[0]
        if reference is not None:
            ref_map = self._map_tensor(reference.map, pair)
            if reference.image.shape[:2] != pair.size:
                raise InputError(f"the reference image is {reference.image.shape[:2]}, the frames are {pair.size}")
            current = self._image_tensor(reference.image).expand(batch, -1, -1, -1)
            maps = [targets * k / iters + ref_map * (iters - k) / iters for k in range(iters + 1)]
        else:
            current = pair.frame0.tensor.expand(batch, -1, -1, -1)
            maps = [targets * k / iters for k in range(iters + 1)]
        flow = torch.empty(0)
        for target, previous in zip(maps[1:], maps[:-1], strict=True):
            current, flow = self._run(pair, torch.cat((target, previous, current), 1))
        return current, flow

    def iter_render(
        self,
        pair: FramePair,
        maps: Sequence[MapLike],
        iters: int = DEFAULT_ITERS,
        reference: Reference | None = None,
        progress: Progress | None = None,
    ) -> Iterator[np.ndarray]:
        """Yield one ``H x W x 3`` float32 frame in [0, 1] per map, in order, rendering ``batch_size`` at a time.

        Args:
            pair: from ``encode_pair``.
            maps: floats (constant time/distance) or ``H x W`` arrays in [0, 1].
            iters: iterations of the reference-based estimation ([R] models only; 1 = a single pass).
            reference: optional reference image and map for the [R] models (starts the iterations there).
            progress: called with (frames done, total) after each batch.
        """
        if self.spec.iterative:
            check_iters(iters)
        for value in maps:  # fail before rendering anything; tensors are built one batch at a time
            self._check_map(value, pair)
        ends: dict[float, np.ndarray] = {}  # frame 0 / frame 1 as output images, copied off the device on first use
        batch = self.batch_size or auto_batch_size(self.device, *pair.frame0.tensor.shape[2:])
        for start in range(0, len(maps), batch):
            chunk = [self._map_tensor(m, pair) for m in maps[start : start + batch]]
            # A map that is all 0 or all 1 is frame 0 or frame 1 itself (the networks only learned in-between times).
            fixed = [_uniform_end(t) for t in chunk]
            todo = [t for t, end in zip(chunk, fixed, strict=True) if end is None]
            rendered: list[np.ndarray] = []
            if todo:
                with torch.inference_mode():
                    images, _ = self._render_batch(pair, torch.cat(todo, 0), iters, reference)
                    rendered = list(self._to_numpy(images, pair))
            for end in fixed:
                if end is None:
                    yield rendered.pop(0)
                    continue
                if end not in ends:
                    frame = pair.frame0 if end == 0.0 else pair.frame1
                    ends[end] = self._to_numpy(frame.tensor, pair)[0]
                yield ends[end]
            if progress is not None:
                progress(min(start + batch, len(maps)), len(maps))

    def _to_numpy(self, images: torch.Tensor, pair: FramePair) -> np.ndarray:
        """B x 3 x Hp x Wp network images -> B x H x W x 3 float32 RGB in [0, 1], cropped."""
        images = self._crop(images, pair).float().clamp(0, 1)
        if self.spec.bgr_input:
            images = images.flip(1)
        return images.permute(0, 2, 3, 1).cpu().numpy()

    def render(
        self,
        pair: FramePair,
        maps: Sequence[MapLike],
        iters: int = DEFAULT_ITERS,
        reference: Reference | None = None,
        progress: Progress | None = None,
    ) -> list[np.ndarray]:
        """Render every map (see ``iter_render``) and return the frames as a list."""
        return list(self.iter_render(pair, maps, iters, reference, progress))

    @torch.inference_mode()
    def flow(self, pair: FramePair, t: float = 0.5, iters: int = DEFAULT_ITERS) -> np.ndarray:
        """The network's bidirectional flow at time ``t``: ``4 x H x W`` float32, pixels.

        Channels 0-1 hold ``F_t->0`` and 2-3 ``F_t->1`` (x then y), on the grid of the frame at time ``t``: the
        frame at ``t`` is ``frame0(x + F_t->0(x))`` blended with ``frame1(x + F_t->1(x))``.
        """
        _, flow = self._render_batch(pair, self._map_tensor(t, pair), iters, None)
        return self._crop(flow, pair)[0].float().cpu().numpy()

    @torch.inference_mode()
    def render_with_flow(self, pair: FramePair, t: float, iters: int = DEFAULT_ITERS) -> tuple[np.ndarray, np.ndarray]:
        """The frame at uniform time ``t`` and the flow that made it, in one pass: (``H x W x 3`` float32 RGB in
        [0, 1], ``4 x H x W`` float32 flow as ``flow`` gives it)."""
        images, flow = self._render_batch(pair, self._map_tensor(t, pair), iters, None)
        return self._to_numpy(images, pair)[0], self._crop(flow, pair)[0].float().cpu().numpy()
