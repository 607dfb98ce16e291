"""Backward warping shared by the RIFE-family networks."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _base_grid(height: int, width: int, like: torch.Tensor) -> torch.Tensor:
    """Identity sampling grid, 1x2xHxW in normalised [-1, 1] coordinates (x first)."""
    xs = torch.linspace(-1.0, 1.0, width, device=like.device, dtype=like.dtype)
    ys = torch.linspace(-1.0, 1.0, height, device=like.device, dtype=like.dtype)
    grid_x = xs.view(1, 1, 1, width).expand(1, 1, height, width)
    grid_y = ys.view(1, 1, height, 1).expand(1, 1, height, width)
    return torch.cat([grid_x, grid_y], dim=1)


def backward_warp(image: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Sample ``image`` at ``x + flow(x)`` (bilinear, border padding, corners aligned).

    Args:
        image: Bx C x H x W tensor to sample from.
        flow: B x 2 x H x W displacement in pixels, channel 0 horizontal, channel 1 vertical.

    Returns:
        B x C x H x W tensor: ``out(x) = image(x + flow(x))``.
    """
    height, width = flow.shape[2], flow.shape[3]
    grid = _base_grid(height, width, flow)
    norm = torch.cat(
        [
            flow[:, 0:1] / ((image.shape[3] - 1.0) / 2.0),
            flow[:, 1:2] / ((image.shape[2] - 1.0) / 2.0),
        ],
        dim=1,
    )
    sample_at = (grid + norm).permute(0, 2, 3, 1)
    return F.grid_sample(image, sample_at, mode="bilinear", padding_mode="border", align_corners=True)
