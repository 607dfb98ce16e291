"""LPIPS (Zhang et al. 2018, AlexNet, v0.1) when its two weight files are in a checkpoints folder; else a clear note.

InterpAny-Clearer's benchmark reports ``lpips.LPIPS(net='alex')`` on RGB frames in [-1, 1]. That needs the ImageNet
AlexNet backbone (torchvision's ``alexnet-owt-7be5be79.pth``) and the learned per-channel weights of the ``lpips``
package (``weights/v0.1/alex.pth``). Neither ships with this project and nothing is downloaded here: with both files
present (``checkpoints/alexnet-owt-7be5be79.pth`` and ``checkpoints/lpips/v0.1/alex.pth``, or under
``$INTERP_CHECKPOINTS``) the metric is computed by this module's implementation of the published definition;
otherwise ``unavailable_reason()`` says what to fetch. The implementation has not been compared with the ``lpips``
package here (neither the package nor the weights are available on this machine).

The distance: both images are shifted and scaled per channel, run through AlexNet's five ReLU stages, each feature
vector is unit-normalised over channels, squared differences are weighted per channel by the learned 1 x 1 weights,
averaged over space and summed over the stages.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from interp.errors import WeightsError
from interp.models.paths import is_present, resolve_checkpoint
from interp.models.registry import get_spec

ALEXNET = "lpips-alexnet"
LINEAR = "lpips-alex-v0.1"
#: AlexNet ``features`` slices ending at each ReLU (conv1 .. conv5) and their widths.
_STAGES = ((0, 2), (2, 5), (5, 8), (8, 10), (10, 12))
_WIDTHS = (64, 192, 384, 256, 256)
_SHIFT = (-0.030, -0.088, -0.188)
_SCALE = (0.458, 0.448, 0.450)


def find_weights() -> tuple[Path, Path] | None:
    """``(alexnet, linear)`` weight files when both are present (searched like every checkpoint), else ``None``."""
    try:
        return resolve_checkpoint(get_spec(ALEXNET)), resolve_checkpoint(get_spec(LINEAR))
    except WeightsError:
        return None


def unavailable_reason() -> str:
    """Why LPIPS is not computed and how to enable it."""
    missing = [name for name in (ALEXNET, LINEAR) if not is_present(get_spec(name))]
    return f"weights {' and '.join(missing)} not found; python -m interp weights list says where to get them"


class LPIPS(nn.Module):
    """LPIPS-Alex v0.1: ``forward(a, b)`` on ``B x 3 x H x W`` RGB in [-1, 1] -> ``B`` distances (0 = identical)."""

    def __init__(self, alexnet_path: Path | None = None, linear_path: Path | None = None) -> None:
        super().__init__()
        from torchvision.models import alexnet  # torchvision loads slowly; only when LPIPS is used

        self.features = alexnet(weights=None).features[: _STAGES[-1][1]]
        if alexnet_path is not None:  # only the convolutional part is used; the classifier's keys are ignored
            state = torch.load(alexnet_path, map_location="cpu", weights_only=True)
            features = {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
            self.features.load_state_dict(features, strict=True)
        self.linear = nn.ModuleList(nn.Conv2d(width, 1, 1, bias=False) for width in _WIDTHS)
        if linear_path is not None:
            state = torch.load(linear_path, map_location="cpu", weights_only=True)
            for n, layer in enumerate(self.linear):
                layer.weight.data.copy_(state[f"lin{n}.model.1.weight"])
        self.register_buffer("shift", torch.tensor(_SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(_SCALE).view(1, 3, 1, 1))
        self.eval().requires_grad_(False)

    @classmethod
    def from_checkpoints(cls) -> LPIPS | None:
        """The metric with the weights found in the checkpoints folders, or ``None`` when they are absent."""
        found = find_weights()
        return None if found is None else cls(*found)

    def _stages(self, image: torch.Tensor) -> list[torch.Tensor]:
        x = (image - self.shift) / self.scale
        outputs = []
        for start, end in _STAGES:
            for layer in self.features[start:end]:
                x = layer(x)
            outputs.append(x / (x.pow(2).sum(1, keepdim=True).sqrt() + 1e-10))
        return outputs

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        total = a.new_zeros(a.shape[0])
        for fa, fb, linear in zip(self._stages(a), self._stages(b), self.linear, strict=True):
            total = total + linear((fa - fb) ** 2).mean(dim=(1, 2, 3))
        return total

    @torch.inference_mode()
    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        """LPIPS of two ``H x W x 3`` RGB float images in [0, 1]."""
        device = self.shift.device
        tensors = [torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).permute(2, 0, 1)[None] for x in (a, b)]
        return float(self(*(t.to(device) * 2 - 1 for t in tensors))[0])
