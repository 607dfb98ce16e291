"""The server's bounds on one request (interp.limits): job size, points per object, frame rates."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from interp.app.preview import ModelPool
from interp.app.session import Session, to_project
from interp.io.encode import FfmpegWriter
from interp.io.images import write_image
from interp.limits import MAX_APP_FRAMES, MAX_GIF_FPS, MAX_POINTS, MIN_FPS
from interp.project.schema import Click, ProjectError, parse_project, project_to_dict
from interp.testing.video import write_video
from sam_utils.segmenter import make_segmenter
from ui.handlers import App, friendly
from ui.layout import build_page
from ui.panels import AUTO, INCLUDE


def _select(x: float, y: float) -> gr.SelectData:
    return gr.SelectData(None, {"index": [x, y], "value": None, "selected": True})


def _api_call(app: App, session: Session, folder: Path, **changes: object) -> tuple[str, str]:
    frame0 = write_image(folder / "a.png", session.img0)
    frame1 = write_image(folder / "b.png", session.img1)
    document = {**project_to_dict(to_project(session)), **changes}
    return list(friendly(app.api_render_project)(str(frame0), str(frame1), json.dumps(document)))[-1]


def test_one_job_is_bounded_in_frames_times_pixels(session: Session, tmp_path: Path) -> None:
    small = build_page(ModelPool(), make_segmenter("fallback"), max_job_megapixels=0.1)[1]  # 9 frames of 160x96: 0.14
    message = r"9 frames of 160x96 are 0 megapixels, more than this server renders in one job \(0.1\)"
    with pytest.raises(gr.Error, match=message):
        next(friendly(small.render)(session, None, 9, 10, "forward", "rife-v4", AUTO, 2, "working size"))
    with pytest.raises(gr.Error, match=message):
        _api_call(small, session, tmp_path, num_frames=9)
    with pytest.raises(gr.Error, match=f"frames must be between 2 and {MAX_APP_FRAMES}, got 20000"):
        _api_call(small, session, tmp_path, num_frames=20_000)


def test_points_per_object_are_capped(app: App, session: Session) -> None:
    document = project_to_dict(to_project(session))
    document["objects"] = [{"name": "o", "points": [[5, 5, 1]] * (MAX_POINTS + 1), "curve": [[0, 0], [1, 1]]}]
    with pytest.raises(
        ProjectError, match=rf"objects\[0\]\.points: at most {MAX_POINTS} points per object, got {MAX_POINTS + 1}"
    ):
        parse_project(document)
    app.new_object(session)
    session.objects[0].clicks = [Click(40, 40)] * MAX_POINTS  # the page's object holds as many as a project may
    with pytest.raises(gr.Error, match=f"at most {MAX_POINTS} clicks per object"):
        friendly(app.click)(session, INCLUDE, 8, _select(40, 41))
    assert len(session.objects[0].clicks) == MAX_POINTS


@pytest.mark.parametrize("fps", [0.001, 0.5, 241])
def test_frame_rates_outside_the_sane_range_are_refused(app: App, session: Session, tmp_path: Path, fps: float) -> None:
    document = project_to_dict(to_project(session))
    with pytest.raises(ProjectError, match=f"project field fps: must be between {MIN_FPS:g} and 240, got {fps!r}"):
        parse_project({**document, "fps": fps})
    with pytest.raises(gr.Error, match="project field fps"):
        _api_call(app, session, tmp_path, fps=fps)
    with pytest.raises(ValueError, match="fps must be in"):
        FfmpegWriter(tmp_path / "x.mp4", fps)


def test_a_gif_plays_at_most_its_highest_real_rate(tmp_path: Path) -> None:
    frames = [np.full((16, 16, 3), 20 * k, np.uint8) for k in range(10)]
    gif = write_video(tmp_path / "fast.gif", frames, fps=100)
    with Image.open(gif) as animation:
        durations = []
        for index in range(animation.n_frames):
            animation.seek(index)
            durations.append(animation.info["duration"])
    assert min(durations) >= 1000 / MAX_GIF_FPS  # browsers would play 10 ms delays at 100 ms
    assert 100 <= sum(durations) <= 150  # about as long as asked (0.1 s): frames dropped, not slowed down


def test_a_cancelled_api_call_stops_within_a_frame_and_leaves_no_files(
    app: App, session: Session, tmp_path: Path
) -> None:
    frame0 = write_image(tmp_path / "a.png", session.img0)
    frame1 = write_image(tmp_path / "b.png", session.img1)
    document = json.dumps({**project_to_dict(to_project(session)), "num_frames": 50})
    call = friendly(app.api_render_project)(str(frame0), str(frame1), document)
    next(call)  # validated, nothing rendered yet
    next(call)  # one frame written
    root = app.api_workspace.root
    assert any(root.rglob("frame_0000.png"))
    call.close()  # what Gradio does when the client cancels or goes away
    assert list(root.rglob("*")) == []
    assert not app.pool.lock.locked()
