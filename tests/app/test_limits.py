"""The server's bounds on one request (interp.limits): job size, points per object, frame rates."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from interp.app.preview import ModelPool
from interp.app.session import Session, set_frames, to_project
from interp.app.workspace import Workspace
from interp.io.encode import FfmpegWriter
from interp.io.images import write_image
from interp.limits import (
    MAX_APP_FRAMES,
    MAX_APP_OBJECTS,
    MAX_BRUSH_DABS,
    MAX_FRAME_PIXELS,
    MAX_GIF_FPS,
    MAX_POINTS,
    MIN_FPS,
)
from interp.project.schema import Click, ProjectError, parse_project, project_to_dict
from interp.testing.video import write_video
from sam_utils.segmenter import make_segmenter
from ui.handlers import App, friendly
from ui.layout import build_page
from ui.lifecycle import release_idle_sessions, session_bytes
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
    message = r"this job is 0.138 megapixels of work \(rendering 0.138\), more than this server does in one job \(0.1\)"
    with pytest.raises(gr.Error, match=message):
        next(friendly(small.render)(session, None, 9, 10, "forward", "rife-v4", AUTO, 2, "working size"))
    counted = r"this job is 0.169 megapixels of work \(rendering 0.138, decoding 0.0307\)"  # the API decodes too
    with pytest.raises(gr.Error, match=counted):
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
    while app.api_workspace.root is None or not any(app.api_workspace.root.rglob("frame_0000.png")):
        next(call)  # frames decoded (a step each), then one frame written
    root = app.api_workspace.root
    call.close()  # what Gradio does when the client cancels or goes away
    assert list(root.rglob("*")) == []
    assert not app.pool.lock.locked()


def _png_header(width: int, height: int, bit_depth: int = 8, colour_type: int = 0) -> bytes:
    """A PNG whose header says ``width x height`` and whose pixel data is cut after a few bytes: decoding it fails,
    so a refusal that names its size was made from the header alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(4096))[:64])


def _data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _image_bytes(array: np.ndarray, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(("bit_depth", "colour_type"), [(8, 2), (16, 0), (16, 2)])
def test_a_huge_frame_is_refused_from_its_header(
    app: App, session: Session, tmp_path: Path, bit_depth: int, colour_type: int
) -> None:
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png_header(13_000, 13_000, bit_depth, colour_type))
    good = write_image(tmp_path / "good.png", session.img0)
    document = json.dumps(project_to_dict(to_project(session)))
    bound = (
        f"frame 1 is 13000x13000 \\(169 megapixels\\); this server takes images of at most {MAX_FRAME_PIXELS / 1e6:g}"
    )
    with pytest.raises(gr.Error, match=bound):
        list(friendly(app.api_render_project)(str(good), str(huge), document))
    with pytest.warns(UserWarning, match=bound):  # the page's upload: a warning, the session keeps its frames
        app.load_frames(session, str(good), str(huge))
    uploaded = project_to_dict(to_project(session))
    uploaded["frame1"] = _data_uri(huge.read_bytes())
    with pytest.raises(gr.Error, match=bound.replace("frame 1", "frame1")):  # a project loaded in the page
        _upload(app, session, tmp_path, uploaded)


@pytest.mark.parametrize("size", [(1, 1), (4000, 1), (8, 64)])
def test_the_api_refuses_the_frames_the_page_refuses(app: App, tmp_path: Path, size: tuple[int, int]) -> None:
    width, height = size
    frame = write_image(tmp_path / "tiny.png", np.full((height, width, 3), 90, np.uint8))
    document = {"format": "interp-project", "version": 1, "frame0": "a", "frame1": "b", "num_frames": 3}
    with pytest.raises(gr.Error, match=f"frame 0 is {width}x{height}; frames must be at least 16x16"):
        list(friendly(app.api_render_project)(str(frame), str(frame), json.dumps(document)))


def test_the_api_holds_as_many_objects_as_the_page(app: App, session: Session, tmp_path: Path) -> None:
    document = project_to_dict(to_project(session))
    document["objects"] = [{"name": f"o{i}", "points": [[40, 40, 1]], "curve": [[0, 0], [1, 1]]} for i in range(13)]
    message = f"the project has {MAX_APP_OBJECTS + 1} objects; the app holds at most {MAX_APP_OBJECTS}"
    with pytest.raises(gr.Error, match=message):
        _api_call(app, session, tmp_path, objects=document["objects"][: MAX_APP_OBJECTS + 1])


def _mask_project(session: Session, mask: str) -> dict:
    document = project_to_dict(to_project(session))
    document["objects"] = [{"name": "o", "mask": mask, "curve": [[0, 0], [1, 1]]}]
    return document


def _upload(app: App, session: Session, folder: Path, document: dict) -> object:
    path = folder / "project.json"
    path.write_text(json.dumps(document))
    return friendly(app.load_project_file)(session, str(path))


def _odd_masks(height: int, width: int) -> dict[str, tuple[bytes, str]]:
    """Masks the size of the frames that are not 8-bit PNGs, and the refusal each gets."""
    mask = np.zeros((height, width), np.uint8)
    mask[10:40, 20:60] = 255
    return {
        "16-bit": (_image_bytes(mask.astype(np.uint16) * 257, "PNG"), "must be an 8-bit PNG, got mode I;16"),
        "GIF": (_image_bytes(mask, "GIF"), "the data URI says image/png but holds GIF data"),
        "TIFF": (_image_bytes(mask, "TIFF"), "the data URI says image/png but holds TIFF data"),
        "WebP": (_image_bytes(mask, "WEBP", lossless=True), "the data URI says image/png but holds WEBP data"),
        "JPEG": (_image_bytes(mask, "JPEG"), "the data URI says image/png but holds JPEG data"),
        "huge": (_png_header(13_000, 13_000), "is 13000x13000, frame0 is 160x96"),
    }


@pytest.mark.parametrize("kind", ["16-bit", "GIF", "TIFF", "WebP", "JPEG", "huge"])
def test_a_mask_that_is_not_an_8_bit_png_of_the_frame_size_is_refused(
    app: App, session: Session, tmp_path: Path, kind: str
) -> None:
    data, refusal = _odd_masks(*session.size)[kind]
    document = _mask_project(session, _data_uri(data))
    with pytest.raises(gr.Error, match=rf"project field objects\[0\]\.mask: {refusal}"):
        _api_call(app, session, tmp_path, objects=document["objects"])
    with pytest.raises(gr.Error, match=rf"project field objects\[0\]\.mask: {refusal}"):
        _upload(app, session, tmp_path, document)


def test_a_job_is_refused_with_its_work_before_it_starts(session: Session, tmp_path: Path) -> None:
    """Dabs and clicks count: 3 objects of 256 dabs that each cover the 160x96 frame are 11.8 megapixels of
    painting, refused by a server bounded at 10 although 9 frames of 160x96 are little to render."""
    bounded = build_page(ModelPool(), make_segmenter("fallback"), max_job_megapixels=10)[1]
    brush = [[80, 48, 200, 1]] * MAX_BRUSH_DABS
    objects = [{"name": f"o{i}", "brush": brush, "points": [[40, 40, 1]], "curve": [[0, 0], [1, 1]]} for i in range(3)]
    refusal = r"this job is 12.1 megapixels of work \(rendering 0.138, decoding 0.0307, masks 0.0922, brush 11.8\)"
    with pytest.raises(gr.Error, match=refusal):
        _api_call(bounded, session, tmp_path, num_frames=9, objects=objects)
    document = {**project_to_dict(to_project(session)), "objects": objects}
    with pytest.raises(
        gr.Error, match=r"this job is 11.9 megapixels of work \(decoding 0.0307, masks 0.0922, brush 11.8\)"
    ):
        _upload(bounded, session, tmp_path, document)
    assert session.objects == []  # nothing was painted


def test_a_cancelled_api_call_stops_while_loading(app: App, session: Session, tmp_path: Path) -> None:
    """Closed while the project is still being loaded (between two of its objects), the call segments nothing more
    and renders nothing: loading is done one step at a time, as rendering is."""
    calls = []
    segment = app.segment_mask
    app.segment_mask = lambda *args: calls.append(1) or segment(*args)  # counts the real segmenter's calls
    try:
        objects = [{"name": f"o{i}", "points": [[40 + i, 40, 1]], "curve": [[0, 0], [1, 1]]} for i in range(4)]
        frame0 = write_image(tmp_path / "a.png", session.img0)
        frame1 = write_image(tmp_path / "b.png", session.img1)
        document = json.dumps({**project_to_dict(to_project(session)), "objects": objects, "num_frames": 9})
        call = friendly(app.api_render_project)(str(frame0), str(frame1), document)
        next(call)  # validated from the headers
        while not calls:
            next(call)  # frames decoded, then the first object segmented
        call.close()  # what Gradio does when the client cancels or goes away
        assert len(calls) == 1
        assert app.api_workspace.root is None or list(app.api_workspace.root.rglob("*.png")) == []
    finally:
        del app.segment_mask


def test_the_longest_idle_sessions_are_released_first(tmp_path: Path) -> None:
    """Gradio's per-session states, bounded in count and in bytes: the sessions idle longest go first (their
    frames emptied, their render folders removed), never one with a request running, and the others stay."""
    from gradio.state_holder import StateHolder

    demo, app = build_page(ModelPool(), make_segmenter("fallback"))
    holder = StateHolder()
    holder.set_blocks(demo)
    states = app.panels.states
    parts = {}
    for key in ("a", "b", "c", "d"):  # "a" was used longest ago, "d" last
        session, workspace = Session(), Workspace()
        set_frames(session, np.zeros((200, 300, 3), np.uint8), np.zeros((200, 300, 3), np.uint8))
        workspace.new_render_dir().mkdir(parents=True)
        holder[key][states.session._id] = session
        holder[key][states.workspace._id] = workspace
        parts[key] = (session, workspace, workspace.root)
    frames = session_bytes(parts["d"][0])
    assert release_idle_sessions(holder, busy={"a"}, max_sessions=3, max_bytes=10 * frames) == ["b"]
    assert release_idle_sessions(holder, busy={"a"}, max_sessions=3, max_bytes=2 * frames) == ["c"]
    assert list(holder.session_data) == ["a", "d"]
    for key in ("b", "c"):
        session, workspace, root = parts[key]
        assert session.img0 is None
        assert workspace.root is None
        assert not root.exists()
    for key in ("a", "d"):
        assert parts[key][0].img0 is not None
        assert parts[key][2].exists()
        parts[key][1].cleanup()
