"""The AMT-S / IFRNet / EMA-VFI families from the CLI, with InterpAny-Clearer's ``--model F --variant V`` spelling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interp.cli import main
from interp.errors import InputError
from interp.io.images import read_image, write_image
from interp.models.registry import model_name
from tests.conftest import shared_path


@pytest.mark.parametrize(
    ("model", "variant", "name"),
    [
        ("AMT-S", "DR", "DR-AMT-S"),
        ("ifrnet", "d", "D-ifrnet"),
        ("EMA-VFI", "D,R", "DR-EMA-VFI"),
        ("RIFE", "DR", "DR-RIFE"),
    ],
)
def test_seed_spelling_maps_to_registry_names(model: str, variant: str, name: str) -> None:
    assert model_name(model, variant) == name


def test_seed_spelling_of_an_unknown_pair_names_the_families() -> None:
    with pytest.raises(InputError, match=r"no model 'TR-AMT-S'.*AMT-S, IFRNet, EMA-VFI"):
        model_name("AMT-S", "TR")


def test_image_with_model_and_variant_and_a_model_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--model AMT-S --variant DR --checkpoint <model folder>`` on an odd-sized pair writes frames of that size."""
    paths = []
    for name in ("I0_0.png", "I0_1.png"):
        image = Image.open(shared_path("data", "interpany-demo", name)).convert("RGB").resize((161, 97))
        paths.append(write_image(tmp_path / name, np.asarray(image)))
    folder = shared_path("fixtures", "interpany-families", "AMT-S", "DR-AMT-S")
    out = tmp_path / "out"
    args = ["image", "--img0", paths[0], "--img1", paths[1], "--out", out, "--num", "2", "--device", "cpu"]
    assert main([str(a) for a in [*args, "--model", "AMT-S", "--variant", "DR", "--checkpoint", folder]]) == 0
    assert "DR-AMT-S" in capsys.readouterr().out
    frames = sorted(out.glob("*.png"))
    assert len(frames) == 4
    assert read_image(frames[1]).shape == (97, 161, 3)
