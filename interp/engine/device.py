"""The one device picker of the engine, training, flow estimation and Segment Anything."""

from __future__ import annotations

import torch


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """``device`` when given (``"cpu"``, ``"cuda:1"``…), else CUDA when available, else CPU; decided when called."""
    if device:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
