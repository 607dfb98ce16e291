"""Make the project's own demo inputs in assets/demo/ from the synthetic scene generator (deterministic).

    .venv/bin/python -m scripts.make_assets

Writes frame0.png, frame1.png, one mask PNG per object and project.json (each object on its own curve).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from interp.core.curves import Curve
from interp.io.images import write_image
from interp.models.paths import PROJECT_ROOT
from interp.project.schema import ObjectSpec, Project, save_project
from interp.testing.synthetic import make_scene

DEMO_SEED = 7
OBJECT_NAMES = ("stone", "tile", "badge")
OBJECT_CURVES = ("arrive early", "reverse", "hold")


def make_demo(folder: Path) -> Path:
    """Write the demo scene and its project into ``folder``; return the project path."""
    scene = make_scene(DEMO_SEED, 256, 448, num_objects=3, max_motion=36, background_motion=(4.0, 0.0))
    folder.mkdir(parents=True, exist_ok=True)
    write_image(folder / "frame0.png", scene.frame(0.0))
    write_image(folder / "frame1.png", scene.frame(1.0))
    objects = []
    for name, preset, mask in zip(OBJECT_NAMES, OBJECT_CURVES, scene.visible_masks(), strict=True):
        write_image(folder / f"mask_{name}.png", (mask[..., None].repeat(3, axis=2) * 255).astype("uint8"))
        objects.append(ObjectSpec(name=name, curve=Curve.preset(preset), mask=f"mask_{name}.png"))
    project = Project(
        frame0="frame0.png", frame1="frame1.png", num_frames=17, fps=12, objects=tuple(objects), loop="there-and-back"
    )
    return save_project(project, folder / "project.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "assets" / "demo")
    print(make_demo(parser.parse_args().out))


if __name__ == "__main__":
    main()
