"""AMT's correlation parts: the instance-normalised context encoder, the bidirectional correlation pyramid and the
small update block (after RAFT). State-dict names match the official AMT-S checkpoints."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from interp.models.ifrnet_blocks import resize


class Bottleneck(nn.Module):
    """1x1 -> 3x3 (strided) -> 1x1 with instance norm and ReLU, plus a strided 1x1 shortcut when downsampling."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1) -> None:
        super().__init__()
        mid = out_ch // 4
        self.conv1 = nn.Conv2d(in_ch, mid, 1)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride, 1)
        self.conv3 = nn.Conv2d(mid, out_ch, 1)
        self.downsample = (
            nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride), nn.InstanceNorm2d(out_ch)) if stride != 1 else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(F.instance_norm(self.conv1(x)))
        y = F.relu(F.instance_norm(self.conv2(y)))
        y = F.relu(F.instance_norm(self.conv3(y)))
        if self.downsample is not None:
            x = self.downsample(x)
        return F.relu(x + y)


class SmallEncoder(nn.Module):
    """Context features at 1/8 for the correlation volume (``output_dim`` channels)."""

    def __init__(self, output_dim: int = 84) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 7, 2, 3)
        self.layer1 = nn.Sequential(Bottleneck(32, 32), Bottleneck(32, 32))
        self.layer2 = nn.Sequential(Bottleneck(32, 64, 2), Bottleneck(64, 64))
        self.layer3 = nn.Sequential(Bottleneck(64, 96, 2), Bottleneck(96, 96))
        self.conv2 = nn.Conv2d(96, output_dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(F.instance_norm(self.conv1(x)))
        return self.conv2(self.layer3(self.layer2(self.layer1(x))))


class BidirCorrelation:
    """All-pairs correlation of two 1/8 feature maps and its transpose, as pyramids; looked up around points.

    Built once per pair (``batch`` pairs); ``lookup`` takes points for ``B`` maps where ``B`` is a multiple of the
    number of pairs (one pair broadcast to many maps samples the same pyramid, nothing is copied).
    """

    def __init__(self, fmap0: torch.Tensor, fmap1: torch.Tensor, levels: int, radius: int) -> None:
        self.levels, self.radius = levels, radius
        batch, dim, height, width = fmap0.shape
        corr = torch.matmul(fmap0.reshape(batch, dim, -1).transpose(1, 2), fmap1.reshape(batch, dim, -1))
        corr = corr.reshape(batch, height, width, 1, height, width) / torch.sqrt(torch.tensor(dim).float())
        corr_t = corr.permute(0, 4, 5, 3, 1, 2).reshape(batch * height * width, 1, height, width)
        corr = corr.reshape(batch * height * width, 1, height, width)
        self.pairs = batch
        self.pyramid, self.pyramid_t = [corr], [corr_t]
        for _ in range(levels - 1):
            self.pyramid.append(F.avg_pool2d(self.pyramid[-1], 2, stride=2))
            self.pyramid_t.append(F.avg_pool2d(self.pyramid_t[-1], 2, stride=2))

    def _sample(self, volume: torch.Tensor, points: torch.Tensor, level: int) -> torch.Tensor:
        """``points`` B x 2 x h x w (x, y) -> B x (2r+1)^2 x h x w correlations at pyramid ``level``."""
        r = self.radius
        batch, _, height, width = points.shape
        per_pair = batch // self.pairs
        steps = torch.linspace(-r, r, 2 * r + 1, device=points.device)
        delta = torch.stack(torch.meshgrid(steps, steps, indexing="ij"), dim=-1)  # the first axis offsets x
        centre = points.permute(0, 2, 3, 1).reshape(self.pairs, per_pair, height * width, 2) / 2**level
        centre = centre.permute(0, 2, 1, 3).reshape(self.pairs * height * width, per_pair, 1, 1, 2)
        grid = (centre + delta.view(1, 1, 2 * r + 1, 2 * r + 1, 2)).reshape(
            self.pairs * height * width, per_pair * (2 * r + 1), 2 * r + 1, 2
        )
        vol_h, vol_w = volume.shape[-2:]
        grid = torch.cat([2 * grid[..., 0:1] / (vol_w - 1) - 1, 2 * grid[..., 1:2] / (vol_h - 1) - 1], dim=-1)
        sampled = F.grid_sample(volume, grid, align_corners=True)
        sampled = sampled.reshape(self.pairs, height * width, per_pair, (2 * r + 1) ** 2).permute(0, 2, 1, 3)
        return sampled.reshape(batch, height, width, -1)

    def lookup(self, points0: torch.Tensor, points1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Correlations around ``points0`` (in frame 1 for each frame-0 pixel) and ``points1`` (the transpose)."""
        out = [self._sample(self.pyramid[i], points0, i) for i in range(self.levels)]
        out_t = [self._sample(self.pyramid_t[i], points1, i) for i in range(self.levels)]
        return (
            torch.cat(out, dim=-1).permute(0, 3, 1, 2).contiguous().float(),
            torch.cat(out_t, dim=-1).permute(0, 3, 1, 2).contiguous().float(),
        )


class SmallUpdateBlock(nn.Module):
    """Residual update of the decoder features and both flows from correlations (at 1/8)."""

    def __init__(self, cdim: int, levels: int, radius: int, scale_factor: int | None = None) -> None:
        super().__init__()
        hidden, flow_dim, corr_dim, fc_dim = 76, 20, 64, 68
        self.scale_factor = scale_factor
        self.convc1 = nn.Conv2d(2 * levels * (2 * radius + 1) ** 2, corr_dim, 1)
        self.convf1 = nn.Conv2d(4, flow_dim * 2, 7, padding=3)
        self.convf2 = nn.Conv2d(flow_dim * 2, flow_dim, 3, padding=1)
        self.conv = nn.Conv2d(corr_dim + flow_dim, fc_dim, 3, padding=1)
        self.gru = self._head(fc_dim + 4 + cdim, hidden, hidden)
        self.feat_head = self._head(hidden, hidden, cdim)
        self.flow_head = self._head(hidden, hidden, 4)

    @staticmethod
    def _head(in_ch: int, mid: int, out_ch: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(in_ch, mid, 3, padding=1), nn.LeakyReLU(0.1), nn.Conv2d(mid, out_ch, 3, padding=1)
        )

    def forward(self, net: torch.Tensor, flow: torch.Tensor, corr: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.scale_factor is not None:
            net = resize(net, 1 / self.scale_factor)
        cor = F.leaky_relu(self.convc1(corr), 0.1)
        flo = F.leaky_relu(self.convf2(F.leaky_relu(self.convf1(flow), 0.1)), 0.1)
        inp = F.leaky_relu(self.conv(torch.cat([cor, flo], 1)), 0.1)
        out = self.gru(torch.cat([inp, flow, net], 1))
        delta_net, delta_flow = self.feat_head(out), self.flow_head(out)
        if self.scale_factor is not None:
            delta_net = resize(delta_net, self.scale_factor)
            delta_flow = self.scale_factor * resize(delta_flow, self.scale_factor)
        return delta_net, delta_flow
