"""InterpAny-Clearer's EMA-VFI with distance indexing: [D] (``flow_estimation``) and [D,R] (``flow_recur_estimation``).

The backbone (``MotionFormer``) gives appearance and motion features of both frames; two heads (at 1/16 and 1/8)
estimate the flows from ``[d * motion0, (1 - d) * motion1, appearance0, appearance1]``, the map resized to each
head's size; a U-Net refines the blend. [D]: the map never enters the backbone, so ``encode_pair`` runs the backbone
once per pair and each map costs only the heads and the U-Net. [D,R]: the backbone takes 7 channels per frame,
``[frame0, current image, previous map]`` and ``[frame1, current image, 1 - previous map]``, so it runs per map.

The size (``F``, depths) is read from the checkpoint's shapes: the official weights use F = 32, depths 2, 2, 2, 4, 4;
the window (7) and the heads (``8F/32``, ``16F/32``) follow the reference's ``init_model_config``. Sides must be
multiples of 32 (``pad_multiple``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from interp.errors import InputError
from interp.models.ema_vfi_backbone import MotionFormer
from interp.models.ifnet_di import Unet as RifeUnet
from interp.models.ifrnet_blocks import expand_batch, split_condition
from interp.models.pair_network import PairNetwork
from interp.models.warp import backward_warp

OFFICIAL_WIDTH = 32
OFFICIAL_DEPTHS = (2, 2, 2, 4, 4)
WINDOW = 7


def _conv(in_ch: int, out_ch: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, stride, 1), nn.PReLU(out_ch))


class Unet(RifeUnet):
    """RIFE's refinement U-Net (width ``c`` = 2F) that also takes the warped appearance features at every level."""

    def __init__(self, c: int) -> None:
        super().__init__(c, extra_in=c)

    def forward(  # type: ignore[override]
        self, inputs: Sequence[torch.Tensor], c0: Sequence[torch.Tensor], c1: Sequence[torch.Tensor]
    ) -> torch.Tensor:
        s0 = self.down0(torch.cat([*inputs, c0[0], c1[0]], 1))
        s1 = self.down1(torch.cat((s0, c0[1], c1[1]), 1))
        s2 = self.down2(torch.cat((s1, c0[2], c1[2]), 1))
        s3 = self.down3(torch.cat((s2, c0[3], c1[3]), 1))
        x = self.up0(torch.cat((s3, c0[4], c1[4]), 1))
        x = self.up1(torch.cat((x, s2), 1))
        x = self.up2(torch.cat((x, s1), 1))
        x = self.up3(torch.cat((x, s0), 1))
        return torch.sigmoid(self.conv(x))


class Head(nn.Module):
    """Flow head at ``scale`` (16 or 8): motion features pixel-shuffled to 1/4, the images (and flow) beside them."""

    def __init__(self, in_planes: int, scale: int, c: int, in_else: int) -> None:
        super().__init__()
        self.upsample = nn.Sequential(nn.PixelShuffle(2), nn.PixelShuffle(2))
        self.scale = scale
        self.conv = nn.Sequential(_conv(in_planes * 2 // 16 + in_else, c), _conv(c, c), _conv(c, 5))

    def forward(
        self, motion: torch.Tensor, x: torch.Tensor, flow: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        motion = self.upsample(motion)
        if self.scale != 4:
            x = F.interpolate(x, scale_factor=4.0 / self.scale, mode="bilinear", align_corners=False)
        if flow is not None:
            if self.scale != 4:
                flow = (
                    F.interpolate(flow, scale_factor=4.0 / self.scale, mode="bilinear", align_corners=False)
                    * 4.0
                    / self.scale
                )
            x = torch.cat((x, flow), 1)
        x = self.conv(torch.cat([motion, x], 1))
        if self.scale != 4:
            x = F.interpolate(x, scale_factor=self.scale // 4, mode="bilinear", align_corners=False)
            return x[:, :4] * (self.scale // 4), x[:, 4:5]
        return x[:, :4], x[:, 4:5]


@dataclass(frozen=True)
class Features:
    """Backbone output for ``pairs`` pairs: frame-0 entries first, then frame-1 entries, per stage."""

    appearance: list[torch.Tensor]
    motion: list[torch.Tensor | None]
    pairs: int


@dataclass(frozen=True)
class EMAPair:
    """What ``encode_pair`` keeps: the frames and, for [D], the backbone's features (full and flow scale)."""

    img0: torch.Tensor
    img1: torch.Tensor
    features: Features | None
    flow_features: Features | None


class EMAVFIDI(PairNetwork):
    """EMA-VFI with a per-pixel distance map; ``iterative`` selects the [D,R] network (7-channel backbone input)."""

    def __init__(
        self, iterative: bool = False, width: int = OFFICIAL_WIDTH, depths: Sequence[int] = OFFICIAL_DEPTHS
    ) -> None:
        super().__init__()
        if len(depths) != 5:
            raise ValueError(f"EMA-VFI has 5 stages, got depths {list(depths)}")
        self.iterative = iterative
        embed = [width * 2**i for i in range(5)]
        motion = [0, 0, 0, 8 * width // depths[3], 16 * width // depths[4]]
        heads = [8 * width // 32, 16 * width // 32]
        self.feature_bone = MotionFormer(7 if iterative else 3, embed, motion, depths, heads, WINDOW)
        self.block = nn.ModuleList(
            Head(motion[-1 - i] * depths[-1 - i] + embed[-1 - i], (16, 8)[i], 4 * width, 6 if i == 0 else 17)
            for i in range(2)
        )
        self.unet = Unet(2 * width)

    @staticmethod
    def pad_multiple(scale: float = 1.0) -> int:
        """Sides must be multiples of 32 at the flow scale (the reference pads to 32)."""
        return max(32, round(32 / scale))

    def _backbone(self, x0: torch.Tensor, x1: torch.Tensor) -> Features:
        appearance, motion = self.feature_bone(torch.cat([x0, x1], 0))
        return Features(appearance, motion, x0.shape[0])

    def encode_pair(self, img0: torch.Tensor, img1: torch.Tensor, feat0: None, feat1: None, scale: float) -> EMAPair:
        del feat0, feat1
        if self.iterative:  # the backbone sees the reference image and map: nothing to do before them
            return EMAPair(img0, img1, None, None)
        features = self._backbone(img0, img1)
        flow_features = features
        if scale != 1.0:
            small = F.interpolate(torch.cat((img0, img1), 1), scale_factor=scale, mode="bilinear", align_corners=False)
            flow_features = self._backbone(small[:, :3], small[:, 3:6])
        return EMAPair(img0, img1, features, flow_features)

    def _head_input(self, index: int, target: torch.Tensor, feats: Features) -> torch.Tensor:
        """``[d * motion0, (1 - d) * motion1, appearance0, appearance1]`` for head ``index`` (0: 1/16, 1: 1/8)."""
        batch, pairs = target.shape[0], feats.pairs
        motion, appearance = feats.motion[-1 - index], feats.appearance[-1 - index]
        if motion is None:
            raise ValueError("the flow heads need the attention stages' motion features")
        t = F.interpolate(target, size=motion.shape[-2:], mode="bilinear", align_corners=False)
        return torch.cat(
            [
                t * motion[:pairs],
                (1 - t) * motion[pairs:],
                expand_batch(appearance[:pairs], batch),
                expand_batch(appearance[pairs:], batch),
            ],
            1,
        )

    def _flow(
        self,
        img0: torch.Tensor,
        img1: torch.Tensor,
        target: torch.Tensor,
        feats: Features,
        merged: list[torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The two heads (the reference's ``calculate_flow``): flow ``B x 4`` and mask logit at the images' size.
        ``merged`` (training) receives each head's blend of the warped frames, as the reference's ``forward``."""
        batch = target.shape[0]
        img0, img1 = expand_batch(img0, batch), expand_batch(img1, batch)
        flow, mask = self.block[0](self._head_input(0, target, feats), torch.cat((img0, img1), 1), None)
        warped0, warped1 = backward_warp(img0, flow[:, :2]), backward_warp(img1, flow[:, 2:4])
        if merged is not None:
            weight = torch.sigmoid(mask)
            merged.append(warped0 * weight + warped1 * (1 - weight))
        inputs = torch.cat((img0, img1, warped0, warped1, mask), 1)
        flow_d, mask_d = self.block[1](self._head_input(1, target, feats), inputs, flow)
        flow, mask = flow + flow_d, mask + mask_d
        if merged is not None:
            weight = torch.sigmoid(mask)
            merged.append(backward_warp(img0, flow[:, :2]) * weight + backward_warp(img1, flow[:, 2:4]) * (1 - weight))
        return flow, mask

    def _refine(
        self, img0: torch.Tensor, img1: torch.Tensor, feats: Features, flow: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """The reference's ``coraseWarp_and_Refine``: warp, blend, U-Net residual."""
        batch, pairs = flow.shape[0], feats.pairs
        img0, img1 = expand_batch(img0, batch), expand_batch(img1, batch)
        warped0, warped1 = backward_warp(img0, flow[:, :2]), backward_warp(img1, flow[:, 2:4])
        c0, c1, level_flow = [], [], flow
        for x in feats.appearance:
            c0.append(backward_warp(expand_batch(x[:pairs], batch), level_flow[:, 0:2]))
            c1.append(backward_warp(expand_batch(x[pairs:], batch), level_flow[:, 2:4]))
            level_flow = (
                F.interpolate(
                    level_flow, scale_factor=0.5, mode="bilinear", align_corners=False, recompute_scale_factor=False
                )
                * 0.5
            )
        res = self.unet((img0, img1, warped0, warped1, mask, flow), c0, c1)[:, :3] * 2 - 1
        weight = torch.sigmoid(mask)
        return torch.clamp(warped0 * weight + warped1 * (1 - weight) + res, 0, 1)

    def render_maps(self, context: EMAPair, cond: torch.Tensor, scale: float) -> tuple[torch.Tensor, torch.Tensor]:
        target, previous, current = split_condition(cond, self.iterative)
        img0, img1 = context.img0, context.img1
        features, flow_features = context.features, context.flow_features
        if current is not None and previous is not None:
            x0, x1 = self._recurrent_inputs(img0, img1, current, previous)
            features = flow_features = self._backbone(x0, x1)
            if scale != 1.0:
                small = F.interpolate(torch.cat((x0, x1), 1), scale_factor=scale, mode="bilinear", align_corners=False)
                flow_features = self._backbone(small[:, :7], small[:, 7:])
        if features is None or flow_features is None:
            raise ValueError("render_maps needs the context encode_pair returned")
        if scale == 1.0:
            flow, mask = self._flow(img0, img1, target, flow_features)
        else:
            small = F.interpolate(torch.cat((img0, img1), 1), scale_factor=scale, mode="bilinear", align_corners=False)
            flow, mask = self._flow(small[:, :3], small[:, 3:6], target, flow_features)
            flow = F.interpolate(flow, scale_factor=1 / scale, mode="bilinear", align_corners=False) * (1 / scale)
            mask = F.interpolate(mask, scale_factor=1 / scale, mode="bilinear", align_corners=False)
        return self._refine(img0, img1, features, flow, mask), flow

    def forward(self, img0: torch.Tensor, img1: torch.Tensor, cond: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
        """Interpolate: frames ``B x 3 x H x W`` in [0, 1] and a condition ``B x C x H x W`` -> ``B x 3 x H x W``."""
        return self.render_maps(self.encode_pair(img0, img1, None, None, scale), cond, scale)[0]

    @staticmethod
    def _recurrent_inputs(
        img0: torch.Tensor, img1: torch.Tensor, current: torch.Tensor, previous: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """[D,R]'s 7-channel backbone inputs ``[frame0, current, previous]`` and ``[frame1, current, 1 - previous]``."""
        batch = current.shape[0]
        x0 = torch.cat([expand_batch(img0, batch), current, previous], 1)
        x1 = torch.cat([expand_batch(img1, batch), current, 1 - previous], 1)
        return x0, x1

    def forward_train(
        self, img0: torch.Tensor, img1: torch.Tensor, cond: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The training pass (flow at full scale, as the reference's ``MultiScaleFlow.forward``): the prediction and
        each flow head's merged frame (blend of the warped frames before the U-Net), which its recipe supervises too."""
        target, previous, current = split_condition(cond, self.iterative)
        if current is not None and previous is not None:
            features = self._backbone(*self._recurrent_inputs(img0, img1, current, previous))
        else:
            features = self._backbone(img0, img1)
        merged: list[torch.Tensor] = []
        flow, mask = self._flow(img0, img1, target, features, merged)
        return self._refine(img0, img1, features, flow, mask), merged


def _count(state: Mapping[str, torch.Tensor], pattern: str) -> int:
    regex = re.compile(pattern)
    return len({match.group(1) for key in state if (match := regex.fullmatch(key))})


def ema_vfi_size(state: Mapping[str, torch.Tensor]) -> tuple[int, tuple[int, ...]]:
    """(F, depths) of an EMA-VFI state dict, read from its tensors' shapes and block counts."""
    first = state.get("feature_bone.block1.conv.0.weight")
    if first is None or first.ndim != 4:
        raise ValueError("not an EMA-VFI state dict: no feature_bone.block1.conv.0.weight")
    depths = [_count(state, rf"feature_bone\.block{i}\.conv\.(\d+)\.weight") // 2 for i in (1, 2, 3)]
    depths += [_count(state, rf"feature_bone\.block{i}\.(\d+)\.norm1\.weight") for i in (4, 5)]
    return int(first.shape[0]), tuple(depths)


def build_ema_vfi(iterative: bool, state: Mapping[str, torch.Tensor], params: Mapping[str, Any]) -> EMAVFIDI:
    """The registry's builder: size from ``state`` when given, else the official F = 32, depths 2, 2, 2, 4, 4."""
    if params:
        raise InputError(f"EMA-VFI takes no config params, got {sorted(params)}")
    if not state:
        return EMAVFIDI(iterative)
    width, depths = ema_vfi_size(state)
    return EMAVFIDI(iterative, width, depths)
