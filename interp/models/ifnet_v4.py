"""Practical-RIFE v4.25 IFNet whose time input is a per-pixel map.

The released network already takes the time step as a full-resolution input channel; this port feeds that channel
with any ``B x 1 x H x W`` map instead of a broadcast constant, and splits the per-frame ``Head`` encoder out so that
a frame is encoded once and reused for any number of maps (and, in a video, for both pairs it belongs to).

State-dict keys match the released ``flownet.pkl`` (``block0..4``, ``encode``). Inputs are RGB/BGR float in [0, 1]
with both sides a multiple of ``pad_multiple(scale)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from interp.models.pair_network import PairNetwork
from interp.models.warp import backward_warp

#: Flow scales of the five blocks at ``scale == 1`` (the user's scale divides them).
BLOCK_SCALES: tuple[float, ...] = (16.0, 8.0, 4.0, 2.0, 1.0)
#: Feature channels of each block.
BLOCK_WIDTHS: tuple[int, ...] = (192, 128, 96, 64, 32)
FEATURE_CHANNELS = 4


def _conv(in_ch: int, out_ch: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=True), nn.LeakyReLU(0.2, inplace=True))


def _resize(x: torch.Tensor, factor: float) -> torch.Tensor:
    if factor == 1.0:
        return x
    return F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)


class Head(nn.Module):
    """Per-frame encoder: B x 3 x H x W image -> B x 4 x H x W features."""

    def __init__(self) -> None:
        super().__init__()
        self.cnn0 = nn.Conv2d(3, 16, 3, 2, 1)
        self.cnn1 = nn.Conv2d(16, 16, 3, 1, 1)
        self.cnn2 = nn.Conv2d(16, 16, 3, 1, 1)
        self.cnn3 = nn.ConvTranspose2d(16, FEATURE_CHANNELS, 4, 2, 1)
        self.relu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.cnn0(x))
        x = self.relu(self.cnn1(x))
        x = self.relu(self.cnn2(x))
        return self.cnn3(x)


class ResConv(nn.Module):
    """3x3 convolution with a learned per-channel residual scale ``beta``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, 1, 1)
        self.beta = nn.Parameter(torch.ones((1, channels, 1, 1)))
        self.relu = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.conv(x) * self.beta + x)


class IFBlock(nn.Module):
    """One coarse-to-fine flow block: returns (flow B x 4, mask logit B x 1, features B x 8) at input size."""

    def __init__(self, in_channels: int, width: int) -> None:
        super().__init__()
        self.conv0 = nn.Sequential(_conv(in_channels, width // 2, 2), _conv(width // 2, width, 2))
        self.convblock = nn.Sequential(*(ResConv(width) for _ in range(8)))
        self.lastconv = nn.Sequential(nn.ConvTranspose2d(width, 4 * 13, 4, 2, 1), nn.PixelShuffle(2))

    def forward(
        self, parts: Sequence[torch.Tensor], flow: torch.Tensor | None, scale: float
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``parts`` are the input's channel groups at full size; each is resized before they are concatenated
        (the same numbers as resizing their concatenation, without a full-size copy of every channel)."""
        inputs = [_resize(part, 1.0 / scale) for part in parts]
        if flow is not None:
            inputs.append(_resize(flow, 1.0 / scale) * (1.0 / scale))
        out = self.lastconv(self.convblock(self.conv0(torch.cat(inputs, 1))))
        out = _resize(out, scale)
        return out[:, :4] * scale, out[:, 4:5], out[:, 5:]


class IFNetV4(PairNetwork):
    """RIFE v4.25 interpolation network (5,664,776 inference parameters)."""

    def __init__(self) -> None:
        super().__init__()
        first_in = 6 + 2 * FEATURE_CHANNELS + 1
        later_in = 6 + 2 * FEATURE_CHANNELS + 1 + 1 + 8 + 4
        self.block0 = IFBlock(first_in, BLOCK_WIDTHS[0])
        self.block1 = IFBlock(later_in, BLOCK_WIDTHS[1])
        self.block2 = IFBlock(later_in, BLOCK_WIDTHS[2])
        self.block3 = IFBlock(later_in, BLOCK_WIDTHS[3])
        self.block4 = IFBlock(later_in, BLOCK_WIDTHS[4])
        self.encode = Head()

    @staticmethod
    def pad_multiple(scale: float = 1.0) -> int:
        """Side lengths must be a multiple of this at the given flow ``scale``."""
        return max(16, round(64 / scale))

    def encode_frame(self, image: torch.Tensor) -> torch.Tensor:
        """Per-frame features: B x 3 x H x W in [0, 1] -> B x 4 x H x W."""
        return self.encode(image)

    def flow_and_merge(
        self,
        img0: torch.Tensor,
        img1: torch.Tensor,
        feat0: torch.Tensor,
        feat1: torch.Tensor,
        timestep: torch.Tensor,
        scale: float = 1.0,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Estimate flows for ``timestep`` and blend the warped frames.

        Args:
            img0, img1: B x 3 x H x W frames in [0, 1] (B may be 1 and broadcast against ``timestep``).
            feat0, feat1: their ``encode_frame`` features, B x 4 x H x W.
            timestep: B x 1 x H x W per-pixel time/distance map in [0, 1].
            scale: flow-estimation scale (0.25 .. 4); the flow is estimated at 1/scale of the blocks' usual size.

        Returns:
            (merged B x 3 x H x W in [0, 1], flow B x 4 x H x W with F_t->0 in channels 0-1 and F_t->1 in 2-3).
        """
        batch = timestep.shape[0]
        img0, img1 = img0.expand(batch, -1, -1, -1), img1.expand(batch, -1, -1, -1)
        feat0, feat1 = feat0.expand(batch, -1, -1, -1), feat1.expand(batch, -1, -1, -1)
        blocks = (self.block0, self.block1, self.block2, self.block3, self.block4)
        flow, mask, feat = blocks[0]((img0, img1, feat0, feat1, timestep), None, BLOCK_SCALES[0] / scale)
        warped0 = backward_warp(img0, flow[:, :2])
        warped1 = backward_warp(img1, flow[:, 2:4])
        for block, block_scale in zip(blocks[1:], BLOCK_SCALES[1:], strict=True):
            wf0 = backward_warp(feat0, flow[:, :2])
            wf1 = backward_warp(feat1, flow[:, 2:4])
            parts = (warped0, warped1, wf0, wf1, timestep, mask, feat)
            flow_delta, mask, feat = block(parts, flow, block_scale / scale)
            flow = flow + flow_delta
            warped0 = backward_warp(img0, flow[:, :2])
            warped1 = backward_warp(img1, flow[:, 2:4])
        weight = torch.sigmoid(mask)
        return warped0 * weight + warped1 * (1 - weight), flow

    def forward(
        self, img0: torch.Tensor, img1: torch.Tensor, timestep: torch.Tensor, scale: float = 1.0
    ) -> torch.Tensor:
        """Interpolate: frames B x 3 x H x W and a B x 1 x H x W map -> B x 3 x H x W."""
        merged, _ = self.flow_and_merge(img0, img1, self.encode(img0), self.encode(img1), timestep, scale)
        return merged
