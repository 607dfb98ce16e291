"""The InterpAny-Clearer RIFE network (``IFNet_m`` / ``IFNet_sdi``) for the T / D / TR / DR variants.

One class covers all four: three IFBlocks (c = 240, 150, 90 at scales 4, 2, 1), ``contextnet`` + ``unet``
refinement, PReLU activations and ``map_channels`` extra input channels:

* 1 for T (a constant time map) and D (a distance map);
* 5 for TR and DR: ``[target map, previous map, current image (3 ch)]``, used by the iterative estimation.

``distill=True`` adds the training-only teacher block ``block_tea`` (it sees the ground truth). State-dict keys match
the official checkpoints after the ``module.`` prefix is removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from interp.models.pair_network import PairNetwork
from interp.models.warp import backward_warp

BLOCK_SCALES: tuple[float, ...] = (4.0, 2.0, 1.0)
CONTEXT_WIDTH = 16


def _conv(in_ch: int, out_ch: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=True), nn.PReLU(out_ch))


def _deconv(in_ch: int, out_ch: int) -> nn.Sequential:
    return nn.Sequential(nn.ConvTranspose2d(in_ch, out_ch, 4, 2, 1, bias=True), nn.PReLU(out_ch))


def _half(flow: torch.Tensor) -> torch.Tensor:
    return F.interpolate(flow, scale_factor=0.5, mode="bilinear", align_corners=False) * 0.5


class Conv2(nn.Module):
    """Two 3x3 convolutions, the first strided."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 2) -> None:
        super().__init__()
        self.conv1 = _conv(in_ch, out_ch, stride)
        self.conv2 = _conv(out_ch, out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(x))


class IFBlock(nn.Module):
    """Flow block: returns (flow B x 4, mask logit B x 1) at input size."""

    def __init__(self, in_channels: int, width: int) -> None:
        super().__init__()
        self.conv0 = nn.Sequential(_conv(in_channels, width // 2, 2), _conv(width // 2, width, 2))
        self.convblock = nn.Sequential(*(_conv(width, width) for _ in range(8)))
        self.lastconv = nn.ConvTranspose2d(width, 5, 4, 2, 1)

    def forward(
        self, parts: Sequence[torch.Tensor], flow: torch.Tensor | None, scale: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``parts``: the input's channel groups at full size, each resized before they are concatenated (the same
        numbers as resizing their concatenation, without a full-size copy)."""
        if scale != 1:
            parts = [F.interpolate(p, scale_factor=1.0 / scale, mode="bilinear", align_corners=False) for p in parts]
        inputs = list(parts)
        if flow is not None:
            flow = F.interpolate(flow, scale_factor=1.0 / scale, mode="bilinear", align_corners=False) * (1.0 / scale)
            inputs.append(flow)
        x = self.conv0(torch.cat(inputs, 1))
        x = self.convblock(x) + x
        out = F.interpolate(self.lastconv(x), scale_factor=scale * 2, mode="bilinear", align_corners=False)
        return out[:, :4] * (scale * 2), out[:, 4:5]


class Contextnet(nn.Module):
    """Warped context pyramid (4 levels) of one frame."""

    def __init__(self) -> None:
        super().__init__()
        c = CONTEXT_WIDTH
        self.conv1 = Conv2(3, c)
        self.conv2 = Conv2(c, 2 * c)
        self.conv3 = Conv2(2 * c, 4 * c)
        self.conv4 = Conv2(4 * c, 8 * c)

    def forward(self, x: torch.Tensor, flow: torch.Tensor) -> list[torch.Tensor]:
        features = []
        for layer in (self.conv1, self.conv2, self.conv3, self.conv4):
            x = layer(x)
            flow = _half(flow)
            features.append(backward_warp(x, flow))
        return features


class Unet(nn.Module):
    """Residual refinement of the blended frame; output B x 3 in [0, 1] (a sigmoid).

    ``c`` is the width (RIFE: 16); ``extra_in`` more input channels reach the first layer (EMA-VFI's subclass).
    """

    def __init__(self, c: int = CONTEXT_WIDTH, extra_in: int = 0) -> None:
        super().__init__()
        self.down0 = Conv2(17 + extra_in, 2 * c)
        self.down1 = Conv2(4 * c, 4 * c)
        self.down2 = Conv2(8 * c, 8 * c)
        self.down3 = Conv2(16 * c, 16 * c)
        self.up0 = _deconv(32 * c, 8 * c)
        self.up1 = _deconv(16 * c, 4 * c)
        self.up2 = _deconv(8 * c, 2 * c)
        self.up3 = _deconv(4 * c, c)
        self.conv = nn.Conv2d(c, 3, 3, 1, 1)

    def forward(
        self,
        images: torch.Tensor,
        warped: torch.Tensor,
        mask: torch.Tensor,
        flow: torch.Tensor,
        c0: list[torch.Tensor],
        c1: list[torch.Tensor],
    ) -> torch.Tensor:
        s0 = self.down0(torch.cat((images, warped, mask, flow), 1))
        s1 = self.down1(torch.cat((s0, c0[0], c1[0]), 1))
        s2 = self.down2(torch.cat((s1, c0[1], c1[1]), 1))
        s3 = self.down3(torch.cat((s2, c0[2], c1[2]), 1))
        x = self.up0(torch.cat((s3, c0[3], c1[3]), 1))
        x = self.up1(torch.cat((x, s2), 1))
        x = self.up2(torch.cat((x, s1), 1))
        x = self.up3(torch.cat((x, s0), 1))
        return torch.sigmoid(self.conv(x))


@dataclass
class DistillOutput:
    """Training outputs of one forward pass (see ``IFNetDI.forward_train``)."""

    merged: list[torch.Tensor]
    flows: list[torch.Tensor]
    teacher_merged: torch.Tensor
    teacher_flow: torch.Tensor
    loss_distill: torch.Tensor


class IFNetDI(PairNetwork):
    """InterpAny-Clearer's RIFE: ``map_channels`` = 1 (T, D) or 5 (TR, DR)."""

    def __init__(self, map_channels: int = 1, distill: bool = False) -> None:
        super().__init__()
        if map_channels not in (1, 5):
            raise ValueError(f"map_channels must be 1 or 5, got {map_channels!r}")
        self.map_channels = map_channels
        self.block0 = IFBlock(6 + map_channels, 240)
        self.block1 = IFBlock(13 + 4 + map_channels, 150)
        self.block2 = IFBlock(13 + 4 + map_channels, 90)
        if distill:
            self.block_tea = IFBlock(16 + 4 + map_channels, 90)
        self.contextnet = Contextnet()
        self.unet = Unet()

    @staticmethod
    def pad_multiple(scale: float = 1.0) -> int:
        """Side lengths must be a multiple of this at the given flow ``scale`` (the reference pads to 32)."""
        return max(8, round(32 / scale))

    def encode_frame(self, image: torch.Tensor) -> None:
        """This network has no per-frame encoder; present for a uniform engine interface."""
        del image

    def _student(
        self, img0: torch.Tensor, img1: torch.Tensor, cond: torch.Tensor, scale: float
    ) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor, torch.Tensor, torch.Tensor]:
        """Run the three student blocks; returns (flows, blended images, mask logit, warped0, warped1)."""
        blocks = (self.block0, self.block1, self.block2)
        flow, mask = blocks[0]((img0, img1, cond), None, BLOCK_SCALES[0] / scale)
        warped0 = backward_warp(img0, flow[:, :2])
        warped1 = backward_warp(img1, flow[:, 2:4])
        flows, merged = [flow], [self._blend(warped0, warped1, mask)]
        for block, block_scale in zip(blocks[1:], BLOCK_SCALES[1:], strict=True):
            flow_delta, mask_delta = block((img0, img1, cond, warped0, warped1, mask), flow, block_scale / scale)
            flow, mask = flow + flow_delta, mask + mask_delta
            warped0 = backward_warp(img0, flow[:, :2])
            warped1 = backward_warp(img1, flow[:, 2:4])
            flows.append(flow)
            merged.append(self._blend(warped0, warped1, mask))
        return flows, merged, mask, warped0, warped1

    @staticmethod
    def _blend(warped0: torch.Tensor, warped1: torch.Tensor, mask_logit: torch.Tensor) -> torch.Tensor:
        weight = torch.sigmoid(mask_logit)
        return warped0 * weight + warped1 * (1 - weight)

    def _refine(
        self,
        img0: torch.Tensor,
        img1: torch.Tensor,
        merged: torch.Tensor,
        flow: torch.Tensor,
        mask: torch.Tensor,
        warped0: torch.Tensor,
        warped1: torch.Tensor,
    ) -> torch.Tensor:
        c0 = self.contextnet(img0, flow[:, :2])
        c1 = self.contextnet(img1, flow[:, 2:4])
        res = self.unet(torch.cat((img0, img1), 1), torch.cat((warped0, warped1), 1), mask, flow, c0, c1)
        return torch.clamp(merged + res[:, :3] * 2 - 1, 0, 1)

    def flow_and_merge(
        self,
        img0: torch.Tensor,
        img1: torch.Tensor,
        feat0: None,
        feat1: None,
        cond: torch.Tensor,
        scale: float = 1.0,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One pass of the network.

        Args:
            img0, img1: B x 3 x H x W frames in [0, 1] (B may be 1 and broadcast against ``cond``).
            feat0, feat1: unused (no per-frame encoder).
            cond: B x ``map_channels`` x H x W condition: the map, or ``[target, previous, current image]``.
            scale: flow-estimation scale (0.25 .. 4).

        Returns:
            (refined image B x 3 x H x W in [0, 1], flow B x 4 x H x W: F_t->0 then F_t->1).
        """
        del feat0, feat1
        if cond.shape[1] != self.map_channels:
            raise ValueError(f"this network takes {self.map_channels} condition channel(s), got {cond.shape[1]}")
        batch = cond.shape[0]
        img0, img1 = img0.expand(batch, -1, -1, -1), img1.expand(batch, -1, -1, -1)
        flows, merged, mask, warped0, warped1 = self._student(img0, img1, cond, scale)
        return self._refine(img0, img1, merged[-1], flows[-1], mask, warped0, warped1), flows[-1]

    def forward(self, img0: torch.Tensor, img1: torch.Tensor, cond: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        """Interpolate: frames B x 3 x H x W and a B x C x H x W condition -> B x 3 x H x W in [0, 1]."""
        return self.flow_and_merge(img0, img1, None, None, cond, scale)[0]

    def forward_train(
        self, img0: torch.Tensor, img1: torch.Tensor, gt: torch.Tensor, cond: torch.Tensor
    ) -> DistillOutput:
        """Training pass at scale 1 with the ground-truth-guided teacher (requires ``distill=True``).

        Returns the refined student image (last of ``merged``), per-block flows, the teacher's image and flow, and the
        distillation loss of the reference recipe (flow L2 towards the teacher where the teacher is better).
        """
        if not hasattr(self, "block_tea"):
            raise ValueError("forward_train needs a network built with distill=True")
        flows, merged, mask, warped0, warped1 = self._student(img0, img1, cond, 1.0)
        flow_delta, mask_delta = self.block_tea((img0, img1, cond, warped0, warped1, mask, gt), flows[-1], 1.0)
        teacher_flow = flows[-1] + flow_delta
        teacher_merged = self._blend(
            backward_warp(img0, teacher_flow[:, :2]), backward_warp(img1, teacher_flow[:, 2:4]), mask + mask_delta
        )
        loss_distill = torch.zeros((), device=img0.device)
        teacher_err = (teacher_merged - gt).abs().mean(1, True)
        for flow, student in zip(flows, merged, strict=True):
            worse = ((student - gt).abs().mean(1, True) > teacher_err + 0.01).float().detach()
            loss_distill = loss_distill + (((teacher_flow.detach() - flow) ** 2).mean(1, True) ** 0.5 * worse).mean()
        merged[-1] = self._refine(img0, img1, merged[-1], flows[-1], mask, warped0, warped1)
        return DistillOutput(merged, flows, teacher_merged, teacher_flow, loss_distill)
