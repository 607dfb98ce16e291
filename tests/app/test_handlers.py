"""The app's handlers called directly, for the edge cases a browser test would be slow to reach."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest
from PIL import Image

from interp.app.preview import PreviewCache
from interp.app.session import Session, to_project
from interp.app.workspace import Workspace
from interp.project.schema import project_json
from interp.testing.synthetic import make_scene
from ui.handlers import App, friendly, visible_time
from ui.panels import AUTO, INCLUDE


def _select(x: float, y: float) -> gr.SelectData:
    return gr.SelectData(None, {"index": [x, y], "value": None, "selected": True})


def _render(app: App, session: Session, workspace: Workspace, num_frames: int = 3):
    return friendly(app.render)(session, workspace, num_frames, 10, "forward", "rife-v4", AUTO, 2, "working size")


def test_click_before_frames_is_a_message_not_a_crash(app: App) -> None:
    with pytest.raises(gr.Error, match="load frame 0 and frame 1 first"):
        friendly(app.click)(Session(), INCLUDE, 8, _select(5, 5))


def test_render_without_objects_is_ordinary_interpolation(app: App, session: Session) -> None:
    workspace = Workspace()
    try:
        *_, final = _render(app, session, workspace)
        files, summary = final[app.panels.results.files]["value"], final[app.panels.render.summary]
        assert summary.startswith("Done: 3 frames at 160x96")
        assert summary.endswith("no objects, so this is plain interpolation between the two frames")
        assert [Path(f).name for f in files] == ["interp.gif", "interp.mp4", "project.json", "frames.zip"]
        assert json.loads(Path(files[2]).read_text())["objects"] == []
    finally:
        workspace.cleanup()
    assert workspace.root is None


def test_cancelled_render_leaves_no_files(app: App, session: Session) -> None:
    workspace = Workspace()
    steps = _render(app, session, workspace, num_frames=6)
    next(steps)  # validated, nothing rendered yet
    next(steps)  # one frame written
    steps.close()  # what Gradio does when the user presses Cancel
    assert workspace.current is not None
    assert not workspace.current.exists()
    workspace.cleanup()


def test_absurd_numbers_and_bad_models_are_refused(app: App, session: Session) -> None:
    with pytest.raises(gr.Error, match="frames must be between 2 and 121"):
        next(_render(app, session, Workspace(), num_frames=100_000))
    with pytest.raises(gr.Error, match="unknown model"):
        friendly(app.preview)(session, PreviewCache(), 0.5, "RIFE-9", AUTO)


def test_bad_project_uploads(app: App, session: Session, tmp_path: Path) -> None:
    (tmp_path / "junk.json").write_text("not json")
    with pytest.raises(gr.Error, match="not a project"):
        friendly(app.load_project_file)(session, str(tmp_path / "junk.json"))
    relative = {"format": "interp-project", "version": 1, "frame0": "a.png", "frame1": "b.png"}
    (tmp_path / "relative.json").write_text(json.dumps(relative))
    with pytest.raises(gr.Error, match="cannot read files"):
        friendly(app.load_project_file)(session, str(tmp_path / "relative.json"))
    assert session.has_frames  # the session survived


def test_click_segments_with_the_fallback_and_undo(app: App, session: Session) -> None:
    scene = make_scene(12, 96, 160, num_objects=2, max_motion=10)
    x, y = scene.centres()[1]
    app.click(session, INCLUDE, 8, _select(x, y))
    mask = session.objects[0].mask
    truth = scene.visible_masks()[1]
    assert (mask & truth).sum() / (mask | truth).sum() > 0.6
    app.undo(session)
    assert session.objects[0].mask is None


def test_preview_frame_and_demo_project(app: App) -> None:
    s = Session()
    views = app.load_demo_project(s)
    assert [o.name for o in s.objects] == ["stone", "tile", "badge"]
    render = app.panels.render
    frames = app.panels.frames  # the project's frames in the upload boxes, the project file box emptied
    assert set(views) == {
        *app.panels.views(),
        *render.settings(),
        app.panels.preview.t,
        frames.img0,
        frames.img1,
        frames.project_file,
    }
    assert views[frames.img0] is s.img0
    assert views[frames.project_file] is None
    assert views[render.num_frames] == 17  # restored from the project
    assert views[render.fps] == 12
    assert views[render.iters] == 2
    assert views[app.panels.objects.objects].choices == [(name, name) for name in ("stone", "tile", "badge")]
    # the still preview's time: where the demo's curves differ most from linear
    assert views[app.panels.preview.t] == visible_time(s) != 0.5
    frame = app.preview(s, PreviewCache(), 0.5, "rife-v4", AUTO)[app.panels.preview.still]
    assert frame.shape == (256, 448, 3)


def test_a_loaded_project_sets_the_preset_menus_and_background_sliders(app: App, tmp_path: Path) -> None:
    """Every view follows the session: after loading a project whose background holds still, the background sliders
    show 0 (a later edit of one slider must not bring back the old linear values) and the menus name the presets."""
    s = Session()
    app.load_demo_project(s)
    document = json.loads(project_json(to_project(s)))
    document["background"] = {"curve": [[0.0, 0.0], [0.25, 0.0], [0.5, 0.0], [0.75, 0.0], [1.0, 0.0]]}
    path = tmp_path / "held.json"
    path.write_text(json.dumps(document))
    views = app.load_project_file(s, str(path))
    curves = app.panels.curves
    assert s.objects[s.selected].curve.preset_name() == "arrive early"  # the demo's first object
    assert views[curves.object.preset]["value"] == "arrive early"
    assert views[curves.object.pairs] == "0:0, 0.25:0.5, 0.5:1, 0.75:1, 1:1"
    assert views[curves.background.preset]["value"] == "hold"
    assert views[curves.background.pairs] == "0:0, 0.25:0, 0.5:0, 0.75:0, 1:0"
    assert json.loads(views[curves.background.editor])["keyframes"][2] == [0.5, 0.0]
    curve_views = app.type_curve(s, True, "0:0, 0.5:0.3, 1:0")
    assert set(curve_views) == set(app.panels.curve_views())
    assert curve_views[curves.background.preset]["value"] is None  # a custom curve: no preset named
    assert curve_views[app.panels.states.session].background(0.5) == pytest.approx(0.3)
    event = gr.EventData(None, {"op": "move", "index": 1, "t": 1.5, "d": 2.0})
    app.edit_curve(s, True, event)  # t kept a gap (0.05) before the last keyframe, d clamped
    assert s.background.keyframes[1] == (0.95, 1.0)
    with pytest.raises(gr.Error, match="at t = 0 and t = 1 stay"):
        friendly(app.edit_curve)(s, True, gr.EventData(None, {"op": "remove", "index": 0}))


def test_canvas_clicks_by_mode_box_and_brush(app: App, session: Session) -> None:
    """Box mode takes two clicks (the first only marks a corner); brush modes paint without segmenting again."""
    from ui.panels import BOX, BRUSH_ERASE

    app.click(session, BOX, 8, _select(10, 10))
    assert session.box_corner == (10.0, 10.0)
    assert session.objects == []
    app.click(session, BOX, 8, _select(60, 50))
    assert session.objects[0].box is not None
    area = int(session.objects[0].mask.sum())
    app.click(session, BRUSH_ERASE, 4, _select(35, 30))
    assert len(session.objects[0].brush) == 1
    assert int(session.objects[0].mask.sum()) <= area
    with pytest.raises(gr.Error, match="unknown click mode"):
        friendly(app.click)(session, "lasso", 8, _select(35, 30))


def test_animation_plays_the_edit_and_a_preset_moves_the_still(app: App, session: Session, tmp_path: Path) -> None:
    from interp.app.animation import LEVELS
    from interp.app.workspace import Workspace

    animation = app.panels.preview.animation
    playing = app.animate(session, PreviewCache(), Workspace(root=tmp_path), "rife-v4", AUTO)
    steps = [step[animation] for step in playing]
    assert [step.label for step in steps] == [f"Playing: {count} frames" for count in LEVELS]
    with Image.open(steps[-1].value["path"]) as gif:
        assert gif.n_frames == LEVELS[-1]
    assert len(list((tmp_path / "preview").glob("*.gif"))) == len(LEVELS)  # the session's folder, not /tmp
    app.click(session, "include (+)", 8, _select(40, 40))
    t = app.object_preset(session, "reverse")[app.panels.preview.t]
    assert t == pytest.approx(0.1)  # at 0.5 reverse and linear agree: the still would show no change
