"""The training loss of the reference recipe: Laplacian-pyramid L1 on the student and the teacher, plus distillation.

``total = lap(student, gt) + lap(teacher, gt) + distill_weight * distill`` with ``distill_weight`` 0.002 (the
reference's ``--cont`` setting, used for all four released variants). ``lap`` is the L1 distance summed over the 5
band-pass levels of a Laplacian pyramid (5 x 5 binomial kernel, reflect padding).
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
