"""InterpAny-Clearer's AMT-S with distance indexing: [D] (``SDI-AMT-S``) and [D,R] (``SDI-R-AMT-S_v1``).

AMT-S = an IFRNet-style pyramid (channels 20, 32, 44, 56) whose flows are corrected at 1/16, 1/8 and 1/4 by
correlation look-ups, and a last decoder that predicts ``num_flows`` flow pairs combined by a small conv block.
The pair's mean is subtracted from the frames (and the reference image) and added back.

Where the map enters: resized to 1/16 it is the last channel of the first decoder's input (``[f0_4, f1_4, d16]``,
113 channels; [D,R]: ``[f0_4, f1_4, fref_4, target16, previous16]``, 170); at 1/8 it turns the decoders' flows
``F_t->0, F_t->1`` into the look-up points ``x + F_t->1 / d`` and ``x + F_t->0 / (1 - d)``. The [D,R] network uses the
reference image only through its 1/16 features (as ``train.py --model AMT-S --variant DR`` trains, the ``_v1`` net).

Per pair, ``encode_pair`` computes the mean, both pyramids and the correlation pyramid once; per map only the
decoders and the look-ups run.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from interp.models.amt_blocks import BidirCorrelation, SmallEncoder, SmallUpdateBlock
from interp.models.ifrnet import IFRNetPair
from interp.models.ifrnet_blocks import (
    Encoder,
    InitDecoder,
    IntermediateDecoder,
    ResBlock,
    convrelu,
    expand_batch,
    first_decoder_inputs,
    mean_free_pair,
    resize,
    to_full_scale,
)
from interp.models.pair_network import PairNetwork
from interp.models.warp import backward_warp

CHANNELS = (20, 32, 44, 56)
SKIP = 20


class MultiFlowDecoder(nn.Module):
    """The last decoder: ``num_flows`` flow pairs, blend masks and residual images at full size."""

    def __init__(self, in_ch: int, skip: int, num_flows: int) -> None:
        super().__init__()
        self.num_flows = num_flows
        self.convblock = nn.Sequential(
            convrelu(in_ch * 3 + 4, in_ch * 3),
            ResBlock(in_ch * 3, skip),
            nn.ConvTranspose2d(in_ch * 3, 8 * num_flows, 4, 2, 1),
        )

    def forward(
        self, ft: torch.Tensor, f0: torch.Tensor, f1: torch.Tensor, flow0: torch.Tensor, flow1: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        n, batch = self.num_flows, ft.shape[0]
        warped0 = backward_warp(expand_batch(f0, batch), flow0)
        warped1 = backward_warp(expand_batch(f1, batch), flow1)
        out = self.convblock(torch.cat([ft, warped0, warped1, flow0, flow1], 1))
        delta0, delta1, mask, res = torch.split(out, [2 * n, 2 * n, n, 3 * n], 1)
        flow0 = delta0 + 2.0 * resize(flow0, 2.0).repeat(1, n, 1, 1)
        flow1 = delta1 + 2.0 * resize(flow1, 2.0).repeat(1, n, 1, 1)
        return flow0, flow1, torch.sigmoid(mask), res


@dataclass(frozen=True)
class AMTPair(IFRNetPair):
    """IFRNet's pair state plus the correlation pyramid and the 1/8 pixel coordinates."""

    corr: BidirCorrelation
    coords: torch.Tensor


class AMTDI(PairNetwork):
    """AMT-S with a per-pixel distance map; ``iterative`` selects the [D,R] (``_v1``) network."""

    def __init__(self, iterative: bool = False, corr_radius: int = 3, corr_lvls: int = 4, num_flows: int = 3) -> None:
        super().__init__()
        self.iterative = iterative
        self.radius, self.levels, self.num_flows = corr_radius, corr_lvls, num_flows
        c = CHANNELS
        self.feat_encoder = SmallEncoder(84)
        self.encoder = Encoder(c)
        self.decoder4 = InitDecoder(c[3], c[2], SKIP, c[3] * 3 + 2 if iterative else c[3] * 2 + 1)
        self.decoder3 = IntermediateDecoder(c[2], c[1], SKIP)
        self.decoder2 = IntermediateDecoder(c[1], c[0], SKIP)
        self.decoder1 = MultiFlowDecoder(c[0], SKIP, num_flows)
        self.update4 = SmallUpdateBlock(c[2], corr_lvls, corr_radius)
        self.update3 = SmallUpdateBlock(c[1], corr_lvls, corr_radius, 2)
        self.update2 = SmallUpdateBlock(c[0], corr_lvls, corr_radius, 4)
        self.comb_block = nn.Sequential(
            nn.Conv2d(3 * num_flows, 6 * num_flows, 3, 1, 1),
            nn.PReLU(6 * num_flows),
            nn.Conv2d(6 * num_flows, 3, 3, 1, 1),
        )

    @staticmethod
    def pad_multiple(scale: float = 1.0) -> int:
        """Sides must be multiples of 16 at the flow scale (the reference pads to 16)."""
        return max(16, round(16 / scale))

    def min_side(self, scale: float) -> int:
        """Each correlation level must keep 2 rows and columns (a 1-pixel level divides by zero in the look-up, and
        the reference returns NaN): 8 * 2^levels pixels at the flow scale, 128 for the official 4 levels."""
        return round(8 * 2**self.levels / scale)

    def encode_pair(self, img0: torch.Tensor, img1: torch.Tensor, feat0: None, feat1: None, scale: float) -> AMTPair:
        del feat0, feat1
        mean, img0, img1, small0, small1 = mean_free_pair(img0, img1, scale)
        fmap0, fmap1 = self.feat_encoder(torch.cat([small0, small1], 0)).chunk(2, 0)
        corr = BidirCorrelation(fmap0, fmap1, self.levels, self.radius)
        height, width = small0.shape[2] // 8, small0.shape[3] // 8
        ys, xs = torch.meshgrid(
            torch.arange(height, device=img0.device), torch.arange(width, device=img0.device), indexing="ij"
        )
        coords = torch.stack([xs, ys], 0).float()[None]
        return AMTPair(mean, img0, img1, self.encoder(small0), self.encoder(small1), corr, coords)

    @staticmethod
    def _lookup(
        pair: AMTPair, flow0: torch.Tensor, flow1: torch.Tensor, d8: torch.Tensor, downsample: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Correlations where the linear-motion assumption sends each 1/8 pixel, and the flows at 1/8."""
        t1_scale = 1.0 / (d8 + 1e-6)
        t0_scale = 1.0 / (1.0 - d8 + 1e-6)
        if downsample != 1:
            inv = 1 / downsample
            flow0, flow1 = inv * resize(flow0, inv), inv * resize(flow1, inv)
        corr0, corr1 = pair.corr.lookup(pair.coords + flow1 * t1_scale, pair.coords + flow0 * t0_scale)
        return torch.cat([corr0, corr1], 1), torch.cat([flow0, flow1], 1)

    def _update(
        self,
        block: SmallUpdateBlock,
        pair: AMTPair,
        flows: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
        d8: torch.Tensor,
        downsample: int,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        flow0, flow1, ft = flows
        corr, flow = self._lookup(pair, flow0, flow1, d8, downsample)
        delta_ft, delta_flow = block(ft, flow, corr)
        delta0, delta1 = torch.chunk(delta_flow, 2, 1)
        return flow0 + delta0, flow1 + delta1, ft + delta_ft

    def render_maps(self, context: AMTPair, cond: torch.Tensor, scale: float) -> tuple[torch.Tensor, torch.Tensor]:
        f0, f1 = context.feats0, context.feats1
        parts, target = first_decoder_inputs(self.encoder, context.mean, f0[3], f1[3], cond, self.iterative, scale)
        d8 = resize(target, 1.0 / 8)
        flows = self._update(self.update4, context, self.decoder4(parts), d8, 1)
        flows = self._update(self.update3, context, self.decoder3(flows[2], f0[2], f1[2], *flows[:2]), d8, 2)
        flows = self._update(self.update2, context, self.decoder2(flows[2], f0[1], f1[1], *flows[:2]), d8, 4)
        flow0, flow1, mask, res = self.decoder1(flows[2], f0[0], f1[0], *flows[:2])
        flow0, flow1, mask, res = to_full_scale(scale, (flow0, flow1), mask, res)
        image = self._combine(context, flow0, flow1, mask, res)
        mean_flow = torch.cat([self._mean_flow(flow0), self._mean_flow(flow1)], 1)
        return torch.clamp(image, 0, 1), mean_flow

    def _mean_flow(self, flows: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = flows.shape
        return flows.reshape(batch, self.num_flows, 2, height, width).mean(1)

    def _combine(
        self, pair: AMTPair, flow0: torch.Tensor, flow1: torch.Tensor, mask: torch.Tensor, res: torch.Tensor
    ) -> torch.Tensor:
        """Warp both frames by every flow pair, blend, add the mean and residuals; average + learned correction."""
        batch, _, height, width = flow0.shape
        n = self.num_flows
        flow0 = flow0.reshape(batch * n, 2, height, width)
        flow1 = flow1.reshape(batch * n, 2, height, width)
        mask = mask.reshape(batch * n, 1, height, width)
        res = res.reshape(batch * n, 3, height, width)
        img0 = expand_batch(pair.img0, batch)[:, None].expand(-1, n, -1, -1, -1).reshape(batch * n, 3, height, width)
        img1 = expand_batch(pair.img1, batch)[:, None].expand(-1, n, -1, -1, -1).reshape(batch * n, 3, height, width)
        mean = expand_batch(pair.mean, batch)[:, None].expand(-1, n, -1, -1, -1).reshape(batch * n, 1, 1, 1)
        warps = mask * backward_warp(img0, flow0) + (1 - mask) * backward_warp(img1, flow1) + mean + res
        warps = warps.reshape(batch, n, 3, height, width)
        return warps.mean(1) + self.comb_block(warps.reshape(batch, n * 3, height, width))

    def forward(self, img0: torch.Tensor, img1: torch.Tensor, cond: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        """Interpolate: frames ``B x 3 x H x W`` in [0, 1] and a condition ``B x C x H x W`` -> ``B x 3 x H x W``."""
        return self.render_maps(self.encode_pair(img0, img1, None, None, scale), cond, scale)[0]
