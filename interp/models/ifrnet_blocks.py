"""Building blocks shared by InterpAny-Clearer's IFRNet and AMT-S ports (``models/DI-AMT-and-IFRNet``).

A feature pyramid (four stride-2 levels), a first decoder at 1/16 that sees both frames' features plus the map(s),
and coarse-to-fine decoders that warp the features by the current flows and refine them. State-dict names match the
official checkpoints (``encoder.pyramid1.0.0.weight``, ``decoder4.convblock.1.conv1.0.weight`` ...).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from interp.models.warp import backward_warp


def resize(x: torch.Tensor, scale_factor: float) -> torch.Tensor:
    """Bilinear resize by a factor (corners not aligned), as the reference's ``resize``."""
    return F.interpolate(x, scale_factor=scale_factor, mode="bilinear", align_corners=False)


def pair_mean(img0: torch.Tensor, img1: torch.Tensor) -> torch.Tensor:
    """One mean per sample over both frames (``B x 1 x 1 x 1``), reduced in the reference's order."""
    both = torch.cat([img0, img1], 2)
    return both.mean(1, keepdim=True).mean(2, keepdim=True).mean(3, keepdim=True)


def convrelu(in_ch: int, out_ch: int, kernel: int = 3, stride: int = 1, padding: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, kernel, stride, padding, bias=True), nn.PReLU(out_ch))


class ResBlock(nn.Module):
    """Residual block whose last ``side`` channels get two extra convolutions."""

    def __init__(self, channels: int, side: int) -> None:
        super().__init__()
        self.side = side
        self.conv1 = convrelu(channels, channels)
        self.conv2 = convrelu(side, side)
        self.conv3 = convrelu(channels, channels)
        self.conv4 = convrelu(side, side)
        self.conv5 = nn.Conv2d(channels, channels, 3, 1, 1, bias=True)
        self.prelu = nn.PReLU(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(x)
        out = self.conv3(torch.cat([out[:, : -self.side], self.conv2(out[:, -self.side :])], 1))
        out = self.conv5(torch.cat([out[:, : -self.side], self.conv4(out[:, -self.side :])], 1))
        return self.prelu(x + out)


class Encoder(nn.Module):
    """Four-level pyramid: ``pyramid{k}`` halves the size and has ``channels[k-1]`` channels."""

    def __init__(self, channels: Sequence[int]) -> None:
        super().__init__()
        self.levels = len(channels)
        previous = 3
        for index, width in enumerate(channels, 1):
            self.add_module(
                f"pyramid{index}", nn.Sequential(convrelu(previous, width, 3, 2, 1), convrelu(width, width))
            )
            previous = width

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        features = []
        for index in range(1, self.levels + 1):
            image = getattr(self, f"pyramid{index}")(image)
            features.append(image)
        return features


class InitDecoder(nn.Module):
    """The 1/16 decoder: ``[f0, f1, extra...]`` -> (flow0, flow1, features for the next level) at 1/8."""

    def __init__(self, in_ch: int, out_ch: int, skip: int, input_ch: int) -> None:
        super().__init__()
        self.convblock = nn.Sequential(
            convrelu(input_ch, in_ch * 2), ResBlock(in_ch * 2, skip), nn.ConvTranspose2d(in_ch * 2, out_ch + 4, 4, 2, 1)
        )

    def forward(self, parts: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        out = self.convblock(torch.cat(list(parts), 1))
        return out[:, 0:2], out[:, 2:4], out[:, 4:]


class IntermediateDecoder(nn.Module):
    """Warp both frames' features by the flows, decode, and add the upsampled flows: one level finer."""

    def __init__(self, in_ch: int, out_ch: int, skip: int) -> None:
        super().__init__()
        self.convblock = nn.Sequential(
            convrelu(in_ch * 3 + 4, in_ch * 3),
            ResBlock(in_ch * 3, skip),
            nn.ConvTranspose2d(in_ch * 3, out_ch + 4, 4, 2, 1),
        )

    def forward(
        self, ft: torch.Tensor, f0: torch.Tensor, f1: torch.Tensor, flow0: torch.Tensor, flow1: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        out = self.decode(ft, f0, f1, flow0, flow1)
        up0 = out[:, 0:2] + 2.0 * resize(flow0, 2.0)
        up1 = out[:, 2:4] + 2.0 * resize(flow1, 2.0)
        return up0, up1, out[:, 4:]

    def decode(
        self, ft: torch.Tensor, f0: torch.Tensor, f1: torch.Tensor, flow0: torch.Tensor, flow1: torch.Tensor
    ) -> torch.Tensor:
        """The raw decoder output (flow residuals first)."""
        batch = ft.shape[0]
        f0 = backward_warp(f0.expand(batch, -1, -1, -1), flow0)
        f1 = backward_warp(f1.expand(batch, -1, -1, -1), flow1)
        return self.convblock(torch.cat([ft, f0, f1, flow0, flow1], 1))


def mean_free_pair(
    img0: torch.Tensor, img1: torch.Tensor, scale: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(mean, mean-free img0, img1, and both at the flow ``scale``): the per-pair start of AMT-S and IFRNet."""
    mean = pair_mean(img0, img1)
    img0, img1 = img0 - mean, img1 - mean
    if scale == 1.0:
        return mean, img0, img1, img0, img1
    return mean, img0, img1, resize(img0, scale), resize(img1, scale)


def first_decoder_inputs(
    encoder: Encoder,
    mean: torch.Tensor,
    top0: torch.Tensor,
    top1: torch.Tensor,
    cond: torch.Tensor,
    iterative: bool,
    scale: float,
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The 1/16 decoder's inputs and the target map at the flow scale.

    [D]: ``[f0_4, f1_4, d16]``; [D,R]: ``[f0_4, f1_4, fref_4, target16, previous16]``, ``fref`` being the encoder's
    coarsest features of the mean-free current (reference) image.
    """
    target, previous, current = split_condition(cond, iterative)
    batch = cond.shape[0]
    if scale != 1.0:
        target = resize(target, scale)
    parts = [expand_batch(top0, batch), expand_batch(top1, batch)]
    if current is None or previous is None:
        return [*parts, resize(target, 1.0 / 16)], target
    previous = resize(previous, scale) if scale != 1.0 else previous
    reference = current - mean
    reference = resize(reference, scale) if scale != 1.0 else reference
    return [*parts, encoder(reference)[-1], resize(target, 1.0 / 16), resize(previous, 1.0 / 16)], target


def to_full_scale(scale: float, flows: tuple[torch.Tensor, torch.Tensor], *maps: torch.Tensor) -> list[torch.Tensor]:
    """Flows (scaled in value too) and other maps from the flow scale back to the frames' size."""
    if scale == 1.0:
        return [*flows, *maps]
    return [resize(f, 1.0 / scale) * (1.0 / scale) for f in flows] + [resize(m, 1.0 / scale) for m in maps]


def split_condition(
    cond: torch.Tensor, iterative: bool
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """``cond`` -> (target map, previous map, current image); the last two are ``None`` for one-channel maps."""
    expected = 5 if iterative else 1
    if cond.shape[1] != expected:
        raise ValueError(f"this network takes {expected} condition channel(s), got {cond.shape[1]}")
    if not iterative:
        return cond, None, None
    return cond[:, 0:1], cond[:, 1:2], cond[:, 2:5]


def expand_batch(tensor: torch.Tensor, batch: int) -> torch.Tensor:
    """Broadcast a pair-level tensor (batch 1, or already ``batch``) to ``batch`` samples without copying."""
    return tensor if tensor.shape[0] == batch else tensor.expand(batch, *tensor.shape[1:])
