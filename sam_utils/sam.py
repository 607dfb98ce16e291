"""Segment Anything: load a checkpoint, encode each image once (cached), decode each click cheaply.

The network is the real ``segment_anything`` model (``ImageEncoderViT``, ``PromptEncoder``, ``MaskDecoder`` with its
``TwoWayTransformer``). Its architecture is read off the checkpoint's tensor shapes, so the official ViT-B/L/H files
and smaller SAM-shaped checkpoints (the tests' tiny one) load through the same path: ``torch.load(weights_only=True)``
then a strict ``load_state_dict``.

Following ``SamPredictor``: the expensive image encoding happens once per image and is kept in a small LRU cache
keyed by the image's content; a click costs only the prompt encoder and the mask decoder.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch
from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer
from segment_anything.utils.transforms import ResizeLongestSide

from interp.core.lru import LRUCache
from interp.engine.device import pick_device
from interp.errors import WeightsError
from interp.models.paths import resolve_checkpoint
from interp.models.registry import MODELS, Kind, SamArch, get_spec
from interp.models.weights import compare_state_dict, read_state_dict
from sam_utils.cache import image_key
from sam_utils.prompts import Backend, Box, Click, SegmentResult, check_image, check_prompts

#: SAM's normalisation of RGB input in [0, 255] (the official values).
PIXEL_MEAN = (123.675, 116.28, 103.53)
PIXEL_STD = (58.395, 57.12, 57.375)


#: The official variants by registry name (their shapes are registry data, ``ModelSpec.sam_arch``); ``infer_arch``
#: recovers these from their checkpoints.
OFFICIAL_ARCHS: dict[str, SamArch] = {
    spec.name: spec.sam_arch for spec in MODELS.values() if spec.kind == Kind.SEGMENTER and spec.sam_arch is not None
}


def build_sam(arch: SamArch) -> Sam:
    """A randomly initialised SAM of the given shape, in eval mode on CPU."""
    sam = Sam(
        image_encoder=ImageEncoderViT(
            depth=arch.depth,
            embed_dim=arch.embed_dim,
            img_size=arch.img_size,
            mlp_ratio=arch.mlp_ratio,
            norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
            num_heads=arch.num_heads,
            patch_size=arch.patch_size,
            qkv_bias=True,
            use_rel_pos=True,
            global_attn_indexes=arch.global_attn_indexes,
            window_size=arch.window_size,
            out_chans=arch.out_chans,
        ),
        prompt_encoder=PromptEncoder(
            embed_dim=arch.out_chans,
            image_embedding_size=(arch.grid, arch.grid),
            input_image_size=(arch.img_size, arch.img_size),
            mask_in_chans=16,
        ),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=3,
            transformer=TwoWayTransformer(depth=2, embedding_dim=arch.out_chans, mlp_dim=2048, num_heads=8),
            transformer_dim=arch.out_chans,
            iou_head_depth=3,
            iou_head_hidden_dim=256,
        ),
        pixel_mean=list(PIXEL_MEAN),
        pixel_std=list(PIXEL_STD),
    )
    return sam.eval()


def _shape(state: dict[str, torch.Tensor], key: str, path: Path) -> tuple[int, ...]:
    if key not in state:
        raise WeightsError(f"checkpoint {path} is not a Segment Anything checkpoint: it has no {key!r}")
    return tuple(state[key].shape)


def infer_arch(state: dict[str, torch.Tensor], path: Path) -> SamArch:
    """Read a SAM's architecture off its state dict's shapes; ``WeightsError`` if it is not SAM-shaped."""
    prefix = "image_encoder."
    embed_dim, _, patch, _ = _shape(state, prefix + "patch_embed.proj.weight", path)
    grid = _shape(state, prefix + "pos_embed", path)[1]
    blocks = sorted({int(m.group(1)) for k in state if (m := re.match(r"image_encoder\.blocks\.(\d+)\.", k))})
    if not blocks or blocks != list(range(len(blocks))):
        raise WeightsError(f"checkpoint {path} is not a Segment Anything checkpoint: its encoder blocks are {blocks}")
    global_indexes, windows, head_dims = [], set(), set()
    for index in blocks:
        rows, head_dim = _shape(state, f"{prefix}blocks.{index}.attn.rel_pos_h", path)
        side = (rows + 1) // 2
        head_dims.add(head_dim)
        if side == grid:
            global_indexes.append(index)
        else:
            windows.add(side)
    hidden = _shape(state, f"{prefix}blocks.0.mlp.lin1.weight", path)[0]
    out_chans = _shape(state, prefix + "neck.0.weight", path)[0]
    if len(head_dims) != 1 or len(windows) > 1 or embed_dim % next(iter(head_dims)):
        raise WeightsError(f"checkpoint {path}: unsupported Segment Anything encoder layout")
    return SamArch(
        embed_dim=embed_dim,
        depth=len(blocks),
        num_heads=embed_dim // next(iter(head_dims)),
        global_attn_indexes=tuple(global_indexes),
        window_size=next(iter(windows)) if windows else 0,
        patch_size=patch,
        img_size=grid * patch,
        mlp_ratio=hidden / embed_dim,
        out_chans=out_chans,
    )


def arch_name(arch: SamArch, path: Path) -> str:
    """The registry name of an official architecture, else ``"SAM from FILE"``."""
    for name, official in OFFICIAL_ARCHS.items():
        if arch == official:
            return name
    return f"SAM from {path.name}"


def load_sam(path: Path) -> tuple[Sam, SamArch]:
    """Build the SAM a checkpoint describes and load it strictly (``weights_only=True``); eval mode on CPU."""
    state = read_state_dict(path)
    arch = infer_arch(state, path)
    network = build_sam(arch)
    mismatch = compare_state_dict(network, state)
    if mismatch:
        raise WeightsError(f"checkpoint {path} does not fit a Segment Anything model: {mismatch.describe()}")
    network.load_state_dict(state, strict=True)
    return network.eval(), arch


@dataclass(frozen=True, eq=False)
class ImageEmbedding:
    """One encoded image.

    Attributes:
        features: ``1 x C x g x g`` float tensor on the model's device (``256 x 64 x 64`` for official SAM).
        input_size: ``(h, w)`` of the resized image before padding to the encoder's square input.
        original_size: ``(H, W)`` of the image.
    """

    features: torch.Tensor
    input_size: tuple[int, int]
    original_size: tuple[int, int]


class SamSegmenter:
    """Segment Anything behind the project's segmenter interface. Thread-safe (the image encoder runs under the
    embedding cache's lock, the prompt decoder under its own)."""

    backend = Backend.SAM

    def __init__(self, model: Sam, name: str, cache_size: int = 4) -> None:
        self.model = model.eval()
        self.name = name
        self.transform = ResizeLongestSide(model.image_encoder.img_size)
        self._cache: LRUCache[str, ImageEmbedding] = LRUCache(cache_size)  # its lock serialises the encoder
        self._lock = threading.Lock()  # serialises the prompt encoder and mask decoder

    @classmethod
    def load(
        cls,
        checkpoint: Path | str | None,
        model_name: str,
        device: str | None = None,
        cache_size: int = 4,
    ) -> SamSegmenter:
        """Find ``model_name``'s official checkpoint (or use ``checkpoint``), load it and move it to ``device``.

        Raises ``WeightsError`` naming the file, every place searched and how to get it when it is missing.
        """
        spec = get_spec(model_name, Kind.SEGMENTER)
        path = resolve_checkpoint(spec, checkpoint)
        model, arch = load_sam(path)
        return cls(model.to(pick_device(device)), arch_name(arch, path), cache_size)

    @property
    def encodings(self) -> int:
        """How many images were encoded (cache misses)."""
        return self._cache.misses

    @property
    def device(self) -> torch.device:
        return self.model.device

    def describe(self) -> str:
        """One line for the UI and the CLI."""
        return f"Segment Anything ({self.name} on {self.device.type})"

    @torch.inference_mode()
    def prepare(self, image: np.ndarray, next_image: np.ndarray | None = None) -> ImageEmbedding:
        """Encode ``image`` (``H x W x 3`` uint8 RGB) or fetch its cached encoding; ``next_image`` is not used."""
        check_image(image)
        return self._cache.get_or_make(image_key(image), lambda: self._encode(image))

    def _encode(self, image: np.ndarray) -> ImageEmbedding:
        resized = self.transform.apply_image(image)
        tensor = torch.as_tensor(resized, device=self.device).permute(2, 0, 1).contiguous()[None]
        features = self.model.image_encoder(self.model.preprocess(tensor.float()))
        return ImageEmbedding(features, tuple(resized.shape[:2]), tuple(image.shape[:2]))

    @torch.inference_mode()
    def segment(
        self,
        image: np.ndarray,
        clicks: Sequence[Click],
        box: Box | None = None,
        next_image: np.ndarray | None = None,
    ) -> SegmentResult:
        """Segment what the clicks (and the optional box) point at; the best-scoring mask when several are offered.

        One positive click without a box asks SAM for three candidate masks (its answer to an ambiguous prompt) and
        keeps the one with the highest predicted IoU; more prompts ask for one mask.
        """
        check_image(image)
        check_prompts(clicks, box, image.shape[0], image.shape[1])
        embedding = self.prepare(image)
        points = np.array([[c.x, c.y] for c in clicks], dtype=np.float64)
        labels = torch.as_tensor([[1 if c.positive else 0 for c in clicks]], dtype=torch.int, device=self.device)
        coords = self.transform.apply_coords(points, embedding.original_size)
        boxes = None
        if box is not None:
            corners = np.array([[box.x0, box.y0, box.x1, box.y1]], dtype=np.float64)
            boxes = torch.as_tensor(self.transform.apply_boxes(corners, embedding.original_size), device=self.device)
        multimask = len(clicks) == 1 and box is None
        with self._lock:
            sparse, dense = self.model.prompt_encoder(
                points=(torch.as_tensor(coords[None], dtype=torch.float, device=self.device), labels),
                boxes=boxes.float() if boxes is not None else None,
                masks=None,
            )
            low_res, scores = self.model.mask_decoder(
                image_embeddings=embedding.features,
                image_pe=self.model.prompt_encoder.get_dense_pe(),
                sparse_prompt_embeddings=sparse,
                dense_prompt_embeddings=dense,
                multimask_output=multimask,
            )
            best = int(torch.argmax(scores[0]))
            logits = self.model.postprocess_masks(
                low_res[:, best : best + 1], embedding.input_size, embedding.original_size
            )
        mask = (logits[0, 0] > self.model.mask_threshold).cpu().numpy()
        score = float(np.clip(scores[0, best].item(), 0.0, 1.0))
        return SegmentResult(mask, score, self.backend)
