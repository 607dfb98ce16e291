"""Shared test helpers: where ../shared lives and how to read its demo frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interp.io.images import read_image
from interp.models.paths import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"
DEMO = SHARED / "data" / "interpany-demo"
FIXTURES = SHARED / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test with a clear message when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data folder next to the project)")
    return path


@pytest.fixture(scope="session")
def demo_pair() -> tuple[np.ndarray, np.ndarray]:
    """InterpAny-Clearer's demo frames I0_0 / I0_1: 256 x 448 x 3 uint8 RGB."""
    return read_image(shared_path("data", "interpany-demo", "I0_0.png")), read_image(DEMO / "I0_1.png")
