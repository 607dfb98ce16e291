"""EMA-VFI's backbone (``MotionFormer``): three conv stages, then two stages of inter-frame window attention that
return appearance features and motion features for both frames.

The batch holds the frame-0 inputs first and the frame-1 inputs second (``2B``); attention takes queries from one frame
and keys/values from the other. Feature maps whose sides are not multiples of the window are zero-padded, centred,
and a -100 mask keeps padded and real tokens apart. The shifted blocks (shift = window // 2) add Swin's shift mask
and then also the *unshifted* padding mask, applied to the rolled windows: the reference does this, and the
official weights were trained with it, so the port copies it (``_shifted_mask``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

MASKED = -100.0


def window_partition(x: torch.Tensor, window: int) -> torch.Tensor:
    """``B x H x W x C`` -> ``(B * windows) x window^2 x C``, windows in row-major order per sample."""
    batch, height, width, channels = x.shape
    x = x.reshape(batch, height // window, window, width // window, window, channels)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window * window, channels)


def window_reverse(windows: torch.Tensor, window: int, height: int, width: int) -> torch.Tensor:
    """Inverse of ``window_partition``: -> ``B x H x W x C``."""
    channels = windows.shape[-1]
    x = windows.reshape(-1, height // window, width // window, window, window, channels)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, height, width, channels)


def _padding(height: int, width: int, window: int) -> tuple[int, int]:
    return -(-height // window) * window - height, -(-width // window) * window - width


def _region_mask(labels: torch.Tensor, window: int) -> torch.Tensor:
    """Windows' pairwise mask from a ``1 x H x W x 1`` region labelling: 0 within a region, -100 across."""
    windows = window_partition(labels, window).squeeze(-1)
    diff = windows.unsqueeze(1) - windows.unsqueeze(2)
    return diff.masked_fill(diff != 0, MASKED).masked_fill(diff == 0, 0.0)


def _labels(size: tuple[int, int], h_slices: Sequence[slice], w_slices: Sequence[slice]) -> torch.Tensor:
    labels = torch.zeros((1, *size, 1))
    for count, (hs, ws) in enumerate((hs, ws) for hs in h_slices for ws in w_slices):
        labels[:, hs, ws, :] = count
    return labels


@lru_cache(maxsize=32)
def _padding_mask(height: int, width: int, window: int) -> torch.Tensor | None:
    """The mask that keeps the centred zero padding apart from the features (``None`` without padding)."""
    pad_h, pad_w = _padding(height, width, window)
    if pad_h == 0 and pad_w == 0:
        return None
    h_slices = (slice(0, pad_h // 2), slice(pad_h // 2, height + pad_h // 2), slice(height + pad_h // 2, None))
    w_slices = (slice(0, pad_w // 2), slice(pad_w // 2, width + pad_w // 2), slice(width + pad_w // 2, None))
    return _region_mask(_labels((height + pad_h, width + pad_w), h_slices, w_slices), window)


@lru_cache(maxsize=32)
def _shifted_mask(height: int, width: int, window: int, shift: int) -> torch.Tensor:
    """Swin's shift mask on the padded map, plus the unshifted padding mask (the reference's quirk, see above).

    Cached per feature size; the reference caches it per padded area only (a buffer it registers while running),
    which would reuse a wrong mask for another size of the same area. The official loader drops those buffers.
    """
    pad_h, pad_w = _padding(height, width, window)
    slices = (slice(0, -window), slice(-window, -shift), slice(-shift, None))
    mask = _region_mask(_labels((height + pad_h, width + pad_w), slices, slices), window)
    padding = _padding_mask(height, width, window)
    return mask if padding is None else mask.masked_fill(padding != 0, MASKED)


def _pad(x: torch.Tensor, window: int) -> torch.Tensor:
    pad_h, pad_w = _padding(x.shape[1], x.shape[2], window)
    if pad_h == 0 and pad_w == 0:
        return x
    return F.pad(x, (0, 0, pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))


def _depad(x: torch.Tensor, height: int, width: int, window: int) -> torch.Tensor:
    pad_h, pad_w = _padding(height, width, window)
    return x[:, pad_h // 2 : pad_h // 2 + height, pad_w // 2 : pad_w // 2 + width, :]


def prelu_convs(in_ch: int, out_ch: int, depth: int) -> nn.Sequential:
    """``depth`` 3x3 convolutions, each followed by a PReLU."""
    layers: list[nn.Module] = []
    for index in range(depth):
        layers += [nn.Conv2d(in_ch if index == 0 else out_ch, out_ch, 3, 1, 1), nn.PReLU(out_ch)]
    return nn.Sequential(*layers)


class ConvBlock(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, depth: int) -> None:
        super().__init__()
        self.conv = prelu_convs(in_ch, out_ch, depth)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class InterFrameAttention(nn.Module):
    """Queries from one frame, keys and values from the other; the attention also moves each token's coordinates,
    which gives the motion features (``attn @ coords - coords``)."""

    def __init__(self, dim: int, motion_dim: int, heads: int) -> None:
        super().__init__()
        self.heads, self.motion_dim = heads, motion_dim
        self.scale = (dim // heads) ** -0.5
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, dim * 2)
        self.cor_embed = nn.Linear(2, motion_dim)
        self.proj = nn.Linear(dim, dim)
        self.motion_proj = nn.Linear(motion_dim, motion_dim)

    def forward(
        self, x1: torch.Tensor, x2: torch.Tensor, cor: torch.Tensor, mask: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        batch, tokens, channels = x1.shape
        heads = self.heads
        q = self.q(x1).reshape(batch, tokens, heads, channels // heads).permute(0, 2, 1, 3)
        kv = self.kv(x2).reshape(batch, -1, 2, heads, channels // heads).permute(2, 0, 3, 1, 4)
        cor_flat = self.cor_embed(cor)
        cor_heads = cor_flat.reshape(batch, tokens, heads, self.motion_dim // heads).permute(0, 2, 1, 3)
        attn = (q @ kv[0].transpose(-2, -1)) * self.scale
        if mask is not None:
            windows = mask.shape[0]
            attn = attn.reshape(batch // windows, windows, heads, tokens, tokens) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.reshape(-1, heads, tokens, tokens)
        attn = attn.softmax(dim=-1)
        x = (attn @ kv[1]).transpose(1, 2).reshape(batch, tokens, channels)
        moved = (attn @ cor_heads).transpose(1, 2).reshape(batch, tokens, -1)
        return self.proj(x), self.motion_proj(moved - cor_flat)


class DWConv(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, groups=dim)

    def forward(self, x: torch.Tensor, height: int, width: int) -> torch.Tensor:
        batch, _, channels = x.shape
        x = self.dwconv(x.transpose(1, 2).reshape(batch, channels, height, width))
        return x.reshape(batch, channels, -1).transpose(1, 2)


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = DWConv(hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor, height: int, width: int) -> torch.Tensor:
        return self.fc2(F.gelu(self.dwconv(self.fc1(x), height, width)))


class MotionFormerBlock(nn.Module):
    """Window attention between the two frames (shifted by half a window in every other block) and an MLP."""

    def __init__(self, dim: int, motion_dim: int, heads: int, window: int, shift: int, mlp_ratio: int) -> None:
        super().__init__()
        self.window, self.shift = window, shift
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = InterFrameAttention(dim, motion_dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, dim * mlp_ratio)

    def forward(self, x: torch.Tensor, cor: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
        window, shift = self.window, self.shift
        frames = x.shape[0]
        x_pad = _pad(x.reshape(frames, height, width, -1), window)
        cor_pad = _pad(cor, window)
        if shift:
            x_pad = torch.roll(x_pad, shifts=(-shift, -shift), dims=(1, 2))
            cor_pad = torch.roll(cor_pad, shifts=(-shift, -shift), dims=(1, 2))
            mask = _shifted_mask(height, width, window, shift)
        else:
            mask = _padding_mask(height, width, window)
        if mask is not None:
            mask = mask.to(device=x.device, dtype=x.dtype)
        padded_h, padded_w = x_pad.shape[1:3]
        x_norm = self.norm1(window_partition(x_pad, window))
        half = x_norm.shape[0] // 2
        appearance, motion = self.attn(
            x_norm, torch.cat([x_norm[half:], x_norm[:half]]), window_partition(cor_pad, window), mask
        )
        x_back = window_reverse(x_norm + appearance, window, padded_h, padded_w)
        motion = window_reverse(motion, window, padded_h, padded_w)
        if shift:
            x_back = torch.roll(x_back, shifts=(shift, shift), dims=(1, 2))
            motion = torch.roll(motion, shifts=(shift, shift), dims=(1, 2))
        x = _depad(x_back, height, width, window).reshape(frames, height * width, -1)
        motion = _depad(motion, height, width, window).reshape(frames, height * width, -1)
        return x + self.mlp(self.norm2(x), height, width), motion


class CrossScalePatchEmbed(nn.Module):
    """Tokens at 1/8 from the three conv stages, through strided, dilated 3x3 convolutions."""

    def __init__(self, in_dims: Sequence[int], embed_dim: int) -> None:
        super().__init__()
        base = in_dims[0]
        layers = []
        for i in range(len(in_dims)):
            for j in range(2**i):
                layers.append(nn.Conv2d(in_dims[-1 - i], base, 3, 2 ** (i + 1), 1 + j, 1 + j))
        self.layers = nn.ModuleList(layers)
        self.proj = nn.Conv2d(base * len(layers), embed_dim, 1, 1)
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, xs: Sequence[torch.Tensor]) -> tuple[torch.Tensor, int, int]:
        outputs, index = [], 0
        for i in range(len(xs)):
            for _ in range(2**i):
                outputs.append(self.layers[index](xs[-1 - i]))
                index += 1
        x = self.proj(torch.cat(outputs, 1))
        height, width = x.shape[2:]
        return self.norm(x.flatten(2).transpose(1, 2)), height, width


class OverlapPatchEmbed(nn.Module):
    def __init__(self, in_ch: int, embed_dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(in_ch, embed_dim, 3, 2, 1)
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, int, int]:
        x = self.proj(x)
        height, width = x.shape[2:]
        return self.norm(x.flatten(2).transpose(1, 2)), height, width


def _coordinates(frames: int, height: int, width: int, like: torch.Tensor) -> torch.Tensor:
    """``frames x H x W x 2`` token coordinates in [-1, 1], x first."""
    xs = torch.linspace(-1.0, 1.0, width, device=like.device).view(1, 1, width, 1).expand(frames, height, -1, -1)
    ys = torch.linspace(-1.0, 1.0, height, device=like.device).view(1, height, 1, 1).expand(frames, -1, width, -1)
    return torch.cat([xs, ys], -1).to(like.dtype)


class MotionFormer(nn.Module):
    """Five stages (embed dims ``F, 2F, 4F, 8F, 16F``): conv at 1, 1/2, 1/4; attention at 1/8 and 1/16."""

    def __init__(
        self,
        in_chans: int,
        embed_dims: Sequence[int],
        motion_dims: Sequence[int],
        depths: Sequence[int],
        num_heads: Sequence[int],
        window: int = 7,
        mlp_ratio: int = 4,
    ) -> None:
        super().__init__()
        self.stages = len(embed_dims)
        self.conv_stages = self.stages - len(num_heads)
        for i in range(self.stages):
            if i == 0:
                self.block1 = ConvBlock(in_chans, embed_dims[0], depths[0])
                continue
            if i < self.conv_stages:
                embed: nn.Module = nn.Sequential(
                    nn.Conv2d(embed_dims[i - 1], embed_dims[i], 3, 2, 1), nn.PReLU(embed_dims[i])
                )
                block: nn.Module = ConvBlock(embed_dims[i], embed_dims[i], depths[i])
            else:
                embed = (
                    CrossScalePatchEmbed(embed_dims[:i], embed_dims[i])
                    if i == self.conv_stages
                    else OverlapPatchEmbed(embed_dims[i - 1], embed_dims[i])
                )
                heads = num_heads[i - self.conv_stages]
                block = nn.ModuleList(
                    MotionFormerBlock(
                        embed_dims[i], motion_dims[i], heads, window, window // 2 if j % 2 else 0, mlp_ratio
                    )
                    for j in range(depths[i])
                )
                setattr(self, f"norm{i + 1}", nn.LayerNorm(embed_dims[i], eps=1e-6))
            setattr(self, f"patch_embed{i + 1}", embed)
            setattr(self, f"block{i + 1}", block)

    def forward(self, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor | None]]:
        """``x``: frame-0 inputs then frame-1 inputs (``2B x C x H x W``) -> (appearance, motion) per stage.

        Motion features exist for the attention stages only (``None`` for the conv stages).
        """
        appearance: list[torch.Tensor] = []
        motion: list[torch.Tensor | None] = []
        conv_outputs: list[torch.Tensor] = []
        frames = x.shape[0]
        for i in range(self.stages):
            block = getattr(self, f"block{i + 1}")
            if i < self.conv_stages:
                x = block(x if i == 0 else getattr(self, f"patch_embed{i + 1}")(x))
                conv_outputs.append(x)
                motion.append(None)
            else:
                embed = getattr(self, f"patch_embed{i + 1}")
                tokens, height, width = embed(conv_outputs if i == self.conv_stages else x)
                cor = _coordinates(frames, height, width, tokens)
                stage_motion = []
                for blk in block:
                    tokens, moved = blk(tokens, cor, height, width)
                    stage_motion.append(moved.reshape(frames, height, width, -1).permute(0, 3, 1, 2))
                tokens = getattr(self, f"norm{i + 1}")(tokens)
                x = tokens.reshape(frames, height, width, -1).permute(0, 3, 1, 2).contiguous()
                motion.append(torch.cat(stage_motion, 1))
            appearance.append(x)
        return appearance, motion
