"""InterpAny-Clearer's IFRNet with distance indexing: [D] (``SDI-IFRNet``) and [D,R] (``SDI-R-IFRNet``).

The pair's mean is subtracted from both frames (and, for [D,R], from the reference image) and added back at the end.
The map enters once, resized to 1/16, as the last channel(s) of the first decoder's input:
``[f0_4, f1_4, d16]`` (193 channels) for [D], ``[f0_4, f1_4, fref_4, target16, previous16]`` (290) for [D,R].
Frame sides must be multiples of 16 (``pad_multiple``). Per pair, the mean and both feature pyramids are computed
once (``encode_pair``); per map only the decoders run (plus the reference's pyramid for [D,R]).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from interp.models.ifrnet_blocks import (
    Encoder,
    InitDecoder,
    IntermediateDecoder,
    expand_batch,
    first_decoder_inputs,
    mean_free_pair,
    to_full_scale,
)
from interp.models.pair_network import PairNetwork
from interp.models.warp import backward_warp

CHANNELS = (32, 48, 72, 96)
SKIP = 32


@dataclass(frozen=True)
class IFRNetPair:
    """What ``encode_pair`` keeps: the mean, the mean-free frames and their pyramids (at the flow scale)."""

    mean: torch.Tensor
    img0: torch.Tensor
    img1: torch.Tensor
    feats0: list[torch.Tensor]
    feats1: list[torch.Tensor]


class IFRNetDI(PairNetwork):
    """IFRNet with a per-pixel distance map; ``iterative`` selects the [D,R] network (5-channel condition)."""

    def __init__(self, iterative: bool = False) -> None:
        super().__init__()
        self.iterative = iterative
        c = CHANNELS
        self.encoder = Encoder(c)
        self.decoder4 = InitDecoder(c[3], c[2], SKIP, c[3] * 3 + 2 if iterative else c[3] * 2 + 1)
        self.decoder3 = IntermediateDecoder(c[2], c[1], SKIP)
        self.decoder2 = IntermediateDecoder(c[1], c[0], SKIP)
        self.decoder1 = IntermediateDecoder(c[0], 4, SKIP)

    @staticmethod
    def pad_multiple(scale: float = 1.0) -> int:
        """Sides must be multiples of 16 at the flow scale (the reference pads to 16)."""
        return max(16, round(16 / scale))

    def encode_pair(self, img0: torch.Tensor, img1: torch.Tensor, feat0: None, feat1: None, scale: float) -> IFRNetPair:
        del feat0, feat1
        mean, img0, img1, small0, small1 = mean_free_pair(img0, img1, scale)
        return IFRNetPair(mean, img0, img1, self.encoder(small0), self.encoder(small1))

    def render_maps(self, context: IFRNetPair, cond: torch.Tensor, scale: float) -> tuple[torch.Tensor, torch.Tensor]:
        f0, f1 = context.feats0, context.feats1
        parts, _ = first_decoder_inputs(self.encoder, context.mean, f0[3], f1[3], cond, self.iterative, scale)
        batch = cond.shape[0]
        flow0, flow1, ft = self.decoder4(parts)
        flow0, flow1, ft = self.decoder3(ft, f0[2], f1[2], flow0, flow1)
        flow0, flow1, ft = self.decoder2(ft, f0[1], f1[1], flow0, flow1)
        flow0, flow1, rest = self.decoder1(ft, f0[0], f1[0], flow0, flow1)
        flow0, flow1, mask, res = to_full_scale(scale, (flow0, flow1), torch.sigmoid(rest[:, 0:1]), rest[:, 1:])
        warped0 = backward_warp(expand_batch(context.img0, batch), flow0)
        warped1 = backward_warp(expand_batch(context.img1, batch), flow1)
        merged = mask * warped0 + (1 - mask) * warped1 + context.mean
        return torch.clamp(merged + res, 0, 1), torch.cat([flow0, flow1], 1)

    def forward(self, img0: torch.Tensor, img1: torch.Tensor, cond: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        """Interpolate: frames ``B x 3 x H x W`` in [0, 1] and a condition ``B x C x H x W`` -> ``B x 3 x H x W``."""
        return self.render_maps(self.encode_pair(img0, img1, None, None, scale), cond, scale)[0]
