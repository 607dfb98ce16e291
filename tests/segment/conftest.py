"""Fixtures for the segmentation tests: a tiny randomly initialised SAM saved as a checkpoint, synthetic frames."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from sam_utils.sam import SamArch, build_sam

#: A SAM with the official prompt encoder and mask decoder and a two-block encoder that still produces the
#: 256 x 64 x 64 embedding SAM expects (256 x 256 input, 4-pixel patches). Windowed attention only: a global
#: block over 4096 tokens would double the encoding time on a 2-core CPU.
TINY_ARCH = SamArch(
    embed_dim=64,
    depth=2,
    num_heads=2,
    global_attn_indexes=(),
    window_size=8,
    patch_size=4,
    img_size=256,
    mlp_ratio=2.0,
)


@pytest.fixture(scope="session")
def tiny_sam_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny SAM's state dict saved with ``torch.save``, as an official checkpoint would be."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("sam") / "tiny_sam.pth"
    torch.save(build_sam(TINY_ARCH).state_dict(), path)
    return path
