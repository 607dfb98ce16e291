"""The interface every interpolation network offers the engine: encode frames, encode a pair, render maps.

The engine (``interp.engine.interpolator.Interpolator``) knows nothing of a network's family. It calls, in this order:

1. ``encode_frame(image)`` once per padded frame (``1 x 3 x H x W``): per-frame features or ``None``;
2. ``encode_pair(img0, img1, feat0, feat1, scale)`` once per pair: whatever the network can compute before it sees a
   map (RIFE: nothing; AMT-S: the mean, both feature pyramids and the correlation volume; EMA-VFI [D]: the whole
   transformer backbone);
3. ``render_maps(context, cond, scale)`` per batch of maps: ``cond`` is ``B x 1 x H x W`` (the map) or, for the
   iterative [R] models, ``B x 5 x H x W`` = ``[target map, previous map, current image]``.

``render_maps`` returns ``(image B x 3 x H x W in [0, 1], flow B x 4 x H x W)``, the flow being ``F_t->0`` then
``F_t->1`` in pixels.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class PairNetwork(nn.Module):
    """Base class: defaults for networks whose whole work happens per map (``flow_and_merge``)."""

    def min_side(self, scale: float) -> int:
        """The smallest padded side the network computes finite results for (frames are padded up to it)."""
        del scale
        return 0

    def encode_frame(self, image: torch.Tensor) -> torch.Tensor | None:
        """Per-frame features of a ``1 x 3 x H x W`` frame; ``None`` when the network has none."""
        del image
        return None

    def encode_pair(
        self,
        img0: torch.Tensor,
        img1: torch.Tensor,
        feat0: torch.Tensor | None,
        feat1: torch.Tensor | None,
        scale: float,
    ) -> Any:
        """Everything about the pair that does not depend on a map; by default the frames and their features."""
        del scale
        return img0, img1, feat0, feat1

    def render_maps(self, context: Any, cond: torch.Tensor, scale: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Render a batch of conditions against an encoded pair: ``(images, flows)``."""
        return self.flow_and_merge(*context, cond, scale)

    def flow_and_merge(self, *args: Any) -> tuple[torch.Tensor, torch.Tensor]:  # pragma: no cover - overridden
        raise NotImplementedError
