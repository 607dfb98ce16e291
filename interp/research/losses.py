"""The training losses of the reference recipes.

RIFE: ``total = lap(student, gt) + lap(teacher, gt) + distill_weight * distill`` with ``distill_weight`` 0.002 (the
reference's ``--cont`` setting, used for all four released variants). ``lap`` is the L1 distance summed over the 5
band-pass levels of a Laplacian pyramid (5 x 5 binomial kernel, reflect padding); EMA-VFI's recipe uses the same
``lap``. AMT-S and IFRNet (their ``*_wofloloss`` configs): ``charbonnier + ternary`` on the prediction.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from interp.models.ifnet_di import DistillOutput

PYRAMID_LEVELS = 5
DISTILL_WEIGHT = 0.002
_BINOMIAL = (1.0, 4.0, 6.0, 4.0, 1.0)


def gaussian_kernel(channels: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """The 5 x 5 binomial kernel (sums to 1), one per channel: ``channels x 1 x 5 x 5``."""
    row = torch.tensor(_BINOMIAL, device=device, dtype=dtype)
    kernel = torch.outer(row, row) / 256.0
    return kernel.expand(channels, 1, 5, 5).contiguous()


def _blur(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    return F.conv2d(F.pad(image, (2, 2, 2, 2), mode="reflect"), kernel, groups=image.shape[1])


def _upsample(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Double the size: zeros between the samples, then blur with 4x the kernel."""
    batch, channels, height, width = image.shape
    spread = image.new_zeros(batch, channels, 2 * height, 2 * width)
    spread[:, :, ::2, ::2] = image
    return _blur(spread, 4 * kernel)


def laplacian_pyramid(image: torch.Tensor, levels: int = PYRAMID_LEVELS) -> list[torch.Tensor]:
    """Band-pass levels ``B x C x H/2^n x W/2^n``, n = 0 .. levels-1 (sides must halve evenly ``levels`` times)."""
    if image.shape[2] % (1 << levels) or image.shape[3] % (1 << levels):
        raise ValueError(f"image sides must be multiples of {1 << levels} for {levels} levels, got {image.shape}")
    kernel = gaussian_kernel(image.shape[1], image.device, image.dtype)
    bands, current = [], image
    for _ in range(levels):
        down = _blur(current, kernel)[:, :, ::2, ::2]
        bands.append(current - _upsample(down, kernel))
        current = down
    return bands


def laplacian_l1(prediction: torch.Tensor, target: torch.Tensor, levels: int = PYRAMID_LEVELS) -> torch.Tensor:
    """Sum over pyramid levels of the mean absolute difference (a scalar).

    The pyramid is linear, so the difference's pyramid is the difference of the pyramids: one pyramid, not two.
    """
    bands = laplacian_pyramid(prediction - target, levels)
    return sum((band.abs().mean() for band in bands), prediction.new_zeros(()))


#: ``sqrt(diff^2 + CHARBONNIER_EPS)``: the AMT-S / IFRNet trainer's ``CharbonnierLoss``.
CHARBONNIER_EPS = 1e-6
#: The census (ternary) transform's window and its two soft-sign constants (``TernaryLoss``).
TERNARY_PATCH = 7
_CENSUS_SOFT = 0.81
_TERNARY_SOFT = 0.1
#: EMA-VFI's weight of each merged (pre-refinement) frame's Laplacian L1.
MERGED_WEIGHT = 0.5


def charbonnier(prediction: torch.Tensor, target: torch.Tensor, eps: float = CHARBONNIER_EPS) -> torch.Tensor:
    """Mean of ``sqrt((prediction - target)^2 + eps)``: a smooth L1 whose floor, for equal images, is ``sqrt(eps)``."""
    return torch.sqrt((prediction - target) ** 2 + eps).mean()


def census_transform(image: torch.Tensor, patch: int = TERNARY_PATCH) -> torch.Tensor:
    """Soft-signed differences of each pixel's ``patch x patch`` neighbours to it, on the channel mean (zero padding):
    ``B x patch^2 x H x W``."""
    gray = image.mean(1, keepdim=True)
    kernel = torch.eye(patch * patch, device=image.device, dtype=image.dtype).reshape(patch * patch, 1, patch, patch)
    diff = F.conv2d(gray, kernel, padding=patch // 2) - gray
    return diff / torch.sqrt(_CENSUS_SOFT + diff**2)


def ternary_loss(prediction: torch.Tensor, target: torch.Tensor, patch: int = TERNARY_PATCH) -> torch.Tensor:
    """The census (ternary) loss: a robust distance of the census transforms (the target's without gradient),
    averaged over the pixels whose whole window lies inside the image (the border counts as zero, as the reference)."""
    diff = census_transform(prediction, patch) - census_transform(target, patch).detach()
    dist = (diff**2 / (_TERNARY_SOFT + diff**2)).mean(1, keepdim=True)
    border = patch // 2
    inside = torch.zeros_like(dist)
    inside[:, :, border : dist.shape[2] - border, border : dist.shape[3] - border] = 1.0
    return (dist * inside).mean()


def merged_laplacian_l1(prediction: torch.Tensor, merged: list[torch.Tensor], gt: torch.Tensor) -> NamedTerms:
    """EMA-VFI's loss: ``lap(prediction, gt) + 0.5 * sum(lap(m, gt) for m in merged)`` (each flow head's blend)."""
    l1 = laplacian_l1(prediction, gt)
    merged_l1 = sum((laplacian_l1(m, gt) for m in merged), gt.new_zeros(()))
    return NamedTerms(l1 + MERGED_WEIGHT * merged_l1, {"l1": l1, "merged": merged_l1})


def reconstruction_loss(prediction: torch.Tensor, gt: torch.Tensor) -> NamedTerms:
    """AMT-S / IFRNet's loss: ``charbonnier + ternary`` (weights 1, 1; no flow or feature terms)."""
    rec, ter = charbonnier(prediction, gt), ternary_loss(prediction, gt)
    return NamedTerms(rec + ter, {"charbonnier": rec, "ternary": ter})


@dataclass(frozen=True)
class NamedTerms:
    """A loss and its named parts (scalar tensors; ``total`` carries the graph)."""

    total: torch.Tensor
    parts: dict[str, torch.Tensor]

    def as_floats(self) -> dict[str, float]:
        return {"total": float(self.total.detach())} | {k: float(v.detach()) for k, v in self.parts.items()}


@dataclass(frozen=True)
class LossTerms:
    """The loss and its parts (scalar tensors; ``total`` carries the graph)."""

    total: torch.Tensor
    l1: torch.Tensor
    teacher: torch.Tensor
    distill: torch.Tensor

    def as_floats(self) -> dict[str, float]:
        return {name: float(getattr(self, name).detach()) for name in ("total", "l1", "teacher", "distill")}


def training_loss(output: DistillOutput, gt: torch.Tensor, distill_weight: float = DISTILL_WEIGHT) -> LossTerms:
    """The reference's loss of one ``IFNetDI.forward_train`` pass."""
    l1 = laplacian_l1(output.merged[-1], gt)
    teacher = laplacian_l1(output.teacher_merged, gt)
    total = l1 + teacher + distill_weight * output.loss_distill
    return LossTerms(total, l1, teacher, output.loss_distill)
