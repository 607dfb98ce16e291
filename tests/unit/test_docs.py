"""The checkpoints README lists every model of the registry with its file, source and digest."""

from __future__ import annotations

from interp.models.paths import PROJECT_ROOT
from interp.models.registry import MODELS


def test_checkpoints_readme_lists_every_model() -> None:
    text = (PROJECT_ROOT / "checkpoints" / "README.md").read_text()
    for spec in MODELS.values():
        assert f"`{spec.name}`" in text
        assert spec.checkpoint in text
        if spec.sha256:
            assert spec.sha256 in text
