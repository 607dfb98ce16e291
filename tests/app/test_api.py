"""The stateless render_project endpoint, called with gradio_client as the README shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from interp.curves import Curve
from interp.media import write_image
from interp.synthetic import make_scene

pytestmark = pytest.mark.slow


def test_render_project_endpoint(app_url: str, tmp_path: Path) -> None:
    scene = make_scene(41, 96, 160, num_objects=1, max_motion=10)
    frame0, frame1 = write_image(tmp_path / "a.png", scene.frame(0)), write_image(tmp_path / "b.png", scene.frame(1))
    x, y = scene.centres()[0]
    project = {
        "format": "interp-project",
        "version": 1,
        "frame0": "a.png",
        "frame1": "b.png",
        "num_frames": 4,
        "fps": 8,
        "objects": [{"name": "o", "points": [[x, y, 1]], "curve": Curve.preset("reverse").to_points()}],
    }
    client = Client(app_url, verbose=False)
    gif, mp4 = client.predict(
        handle_file(str(frame0)), handle_file(str(frame1)), json.dumps(project), api_name="/render_project"
    )
    with Image.open(gif) as animation:
        assert animation.n_frames == 4
    assert Path(mp4).stat().st_size > 0
    bad = {**project, "num_frames": 1}
    with pytest.raises(Exception, match="num_frames"):
        client.predict(handle_file(str(frame0)), handle_file(str(frame1)), json.dumps(bad), api_name="/render_project")
