"""What arrives over the web (uploaded projects, API calls, names, uploads) cannot reach the server's files or the page.

Handler-level: the page's and the API's handlers called directly, as Gradio calls them.
"""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pytest
from gradio.data_classes import ImageData

from interp.app.session import Session, to_project
from interp.io.images import write_image
from interp.limits import MAX_APP_OBJECTS
from interp.project.schema import MAX_QUOTED_REFERENCE, ProjectError, load_project, png_data_uri, project_to_dict
from ui.components import upload_image
from ui.handlers import App, friendly, object_table


def _saved_project(session: Session) -> dict[str, Any]:
    """The session as the app saves it (frames embedded) with one object whose mask is embedded too."""
    mask = np.zeros(session.size, bool)
    mask[10:30, 20:50] = True
    document = project_to_dict(to_project(session))
    document["objects"] = [{"name": "box", "mask": png_data_uri(mask), "curve": [[0, 0], [1, 1]]}]
    return document


def _server_files(tmp_path: Path, size: tuple[int, int]) -> list[str]:
    """References to files on the server: an image of the frames' size, a text file, a missing file, relative
    paths and a path that climbs out of a folder."""
    secret = write_image(tmp_path / "secret.png", np.full((*size, 3), 200, np.uint8))
    notes = tmp_path / "notes.txt"
    notes.write_text("private")
    return [str(secret), str(notes), str(tmp_path / "missing.png"), "secret.png", "../secret.png", str(tmp_path)]


def _refusals(call: Any, references: list[str], document_for: Any) -> list[str]:
    """The message of each refused call, with the quoted reference replaced by ``<ref>``."""
    messages = []
    for reference in references:
        with pytest.raises(gr.Error) as refused:
            call(document_for(reference))
        # as the message quotes it: long references are cut (the test's temp paths are long or short by chance)
        shown = reference if len(reference) <= MAX_QUOTED_REFERENCE else reference[:MAX_QUOTED_REFERENCE] + "…"
        messages.append(refused.value.message.replace(repr(shown), "<ref>"))
    return messages


@pytest.mark.parametrize("field", ["frame0", "frame1", "mask"])
def test_an_uploaded_project_reads_no_server_file(app: App, session: Session, tmp_path: Path, field: str) -> None:
    references = _server_files(tmp_path / "server", session.size)
    before = session.img0.copy()

    def document_for(reference: str) -> dict[str, Any]:
        document = _saved_project(session)
        if field == "mask":
            document["objects"][0]["mask"] = reference
        else:
            document[field] = reference
        return document

    def upload(document: dict[str, Any]) -> tuple:
        path = tmp_path / "upload.json"
        path.write_text(json.dumps(document))
        return friendly(app.load_project_file)(session, str(path))

    messages = _refusals(upload, references, document_for)
    assert len(set(messages)) == 1, messages  # one message, whatever is (or is not) on the disk
    assert "cannot read files" in messages[0]
    assert np.array_equal(session.img0, before)  # the server's image never became the click canvas
    upload(_saved_project(session))  # the page is still usable: an embedded project loads
    assert [o.name for o in session.objects] == ["box"]


def test_the_api_reads_no_server_file(app: App, session: Session, tmp_path: Path) -> None:
    references = _server_files(tmp_path / "server", session.size)
    frame0 = write_image(tmp_path / "a.png", session.img0)
    frame1 = write_image(tmp_path / "b.png", session.img1)

    def document_for(reference: str) -> dict[str, Any]:
        document = _saved_project(session)
        document["objects"][0]["mask"] = reference
        return document

    def call(document: dict[str, Any]) -> tuple:
        return list(friendly(app.api_render_project)(str(frame0), str(frame1), json.dumps(document)))[-1]

    messages = _refusals(call, references, document_for)
    assert len(set(messages)) == 1, messages
    assert "cannot read files" in messages[0]


class _Tags(HTMLParser):
    """Collects the tags (and their attributes) of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, attrs))


def _tags(fragment: str) -> list[tuple[str, list]]:
    parser = _Tags()
    parser.feed(fragment)
    return parser.tags


ATTACKS = ("<img src=http://127.0.0.1:7899/x>", "<script>alert(1)</script>", "![x](http://127.0.0.1:7899/y)")


@pytest.mark.parametrize("name", ATTACKS)
def test_object_names_show_as_text(app: App, session: Session, name: str) -> None:
    app.new_object(session)
    friendly(app.rename)(session, name)
    table = object_table(session)
    assert {tag for tag, _ in _tags(table)} <= {"span", "b", "br"}  # only the table's own markup
    assert all(attrs == [("style", attrs[0][1])] for tag, attrs in _tags(table) if tag == "span")
    assert html.unescape(table).count(name) == 1  # the name itself, shown as written
    app.new_object(session)
    with pytest.raises(gr.Error) as refused:  # an error that quotes the name shows it as text too
        friendly(app.rename)(session, name)
    assert _tags(refused.value.message) == []
    assert name in html.unescape(refused.value.message)


def _unreadable_uploads(folder: Path, frame: np.ndarray) -> dict[str, Path]:
    """Files a user (or an attacker) may upload as a frame, none of them a readable image."""
    folder.mkdir(parents=True, exist_ok=True)
    png = write_image(folder / "whole.png", frame).read_bytes()
    contents = {
        "empty": b"",
        "text": b"just some text\n",
        "truncated": png[: len(png) // 2],
        "corrupt": png[:40] + bytes(range(256)) * 4,
    }
    return {kind: _write(folder / f"upload-7f3a-{kind}.png", data) for kind, data in contents.items()}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", ["empty", "text", "truncated", "corrupt"])
def test_an_unreadable_frame_upload_is_one_plain_warning(app: App, session: Session, tmp_path: Path, kind: str) -> None:
    bad = _unreadable_uploads(tmp_path / "uploads", session.img0)[kind]
    good = write_image(tmp_path / "good.png", session.img0)
    before = session.img0
    assert upload_image().preprocess(ImageData(path=str(bad), orig_name="x.png")) == str(bad)  # no Gradio error
    with pytest.warns(UserWarning, match="^frame 1 is not a readable image: ") as warned:
        views = friendly(app.load_frames)(session, str(good), str(bad))
    (message,) = [str(w.message) for w in warned]
    assert message.startswith("frame 1 is not a readable image: ")
    assert "upload-7f3a" not in message
    assert str(tmp_path) not in message
    assert session.img0 is before  # the session kept its frames
    assert views[app.panels.states.session] is session


def test_the_api_says_which_frame_is_unreadable(app: App, session: Session, tmp_path: Path) -> None:
    bad = _unreadable_uploads(tmp_path / "uploads", session.img0)["truncated"]
    good = write_image(tmp_path / "good.png", session.img0)
    document = json.dumps(_saved_project(session))
    with pytest.raises(gr.Error) as refused:
        list(friendly(app.api_render_project)(str(bad), str(good), document))
    assert refused.value.message.startswith("frame 0 is not a readable image: ")
    assert str(tmp_path) not in refused.value.message


def test_a_deeply_nested_project_is_not_valid_json(app: App, session: Session, tmp_path: Path) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.json"
    path.write_text(nested)
    with pytest.raises(gr.Error, match="not a project: it is not valid JSON: it is nested too deeply"):
        friendly(app.load_project_file)(session, str(path))
    frame = str(write_image(tmp_path / "a.png", session.img0))
    with pytest.raises(gr.Error, match="the project is not valid JSON: it is nested too deeply"):
        list(friendly(app.api_render_project)(frame, frame, nested))
    with pytest.raises(ProjectError, match="is not valid JSON: it is nested too deeply"):
        load_project(path)  # the CLI's reader


def _project_with_objects(session: Session, names: list[str]) -> dict[str, Any]:
    """A saved project whose objects (one small embedded mask each) carry ``names``."""
    document = _saved_project(session)
    mask = document["objects"][0]["mask"]
    document["objects"] = [{"name": name, "mask": mask, "curve": [[0, 0], [1, 1]]} for name in names]
    return document


def _upload_document(app: App, session: Session, folder: Path, document: dict[str, Any]) -> tuple:
    path = folder / "project.json"
    path.write_text(json.dumps(document))
    return friendly(app.load_project_file)(session, str(path))


def test_a_loaded_project_gets_the_pages_object_limit(app: App, session: Session, tmp_path: Path) -> None:
    before = session.img0
    document = _project_with_objects(session, [f"o{i}" for i in range(MAX_APP_OBJECTS + 1)])
    with pytest.raises(gr.Error, match=f"the project has {MAX_APP_OBJECTS + 1} objects; the app holds at most 12"):
        _upload_document(app, session, tmp_path, document)
    assert session.img0 is before
    assert session.objects == []
    _upload_document(app, session, tmp_path, _project_with_objects(session, ["o"] * MAX_APP_OBJECTS))
    assert len(session.objects) == MAX_APP_OBJECTS


def test_a_loaded_project_gets_clean_unique_names(app: App, session: Session, tmp_path: Path) -> None:
    names = ["ball", "ball", "  ball\t ", "a\u202eb\x00c", "x" * 100, "x" * 100, "\u200b"]
    _upload_document(app, session, tmp_path, _project_with_objects(session, names))
    loaded = [o.name for o in session.objects]
    assert loaded == ["ball", "ball 2", "ball 3", "abc", "x" * 40, "x" * 38 + " 2", "object 7"]
    app.select_object(session, "ball 2")  # every object can be selected by its name
    assert session.selected == 1
    with pytest.raises(gr.Error, match="another object is already called 'ball'"):
        friendly(app.rename)(session, " ball ")


HUGE = "9" * 5000  # more digits than Python converts to an integer


@pytest.mark.parametrize(
    ("field", "value", "refusal"),
    [
        ("num_frames", HUGE, "project field num_frames: must be an integer, got inf"),
        ("fps", "-" + HUGE, "project field fps: must be between 1 and 240, got -inf"),
        ("background", '{"curve": [{"t": 0, "d": 0}, [1, 1]]}', r"keyframe 0 must be \[t, d\] \(two numbers\)"),
        ("background", '{"curve": [[0, 0], [' + HUGE + ", 1]]}", "keyframe 1 must be finite numbers, got \\(inf"),
    ],
)
def test_odd_json_gets_a_message_not_an_internal_error(
    app: App, session: Session, tmp_path: Path, field: str, value: str, refusal: str
) -> None:
    document = json.dumps({**_saved_project(session), field: "@"}).replace('"@"', value)
    frame = str(write_image(tmp_path / "a.png", session.img0))
    with pytest.raises(gr.Error, match=refusal):
        list(friendly(app.api_render_project)(frame, frame, document))
    path = tmp_path / "odd.json"
    path.write_text(document)
    with pytest.raises(gr.Error, match=refusal):
        friendly(app.load_project_file)(session, str(path))


@pytest.mark.parametrize("t", ["abc", 10**400])
def test_an_odd_curve_edit_gets_a_message(app: App, session: Session, t: object) -> None:
    app.new_object(session)
    edit = gr.EventData(None, {"op": "move", "index": 1, "t": t, "d": 0.5})
    with pytest.raises(gr.Error, match="a curve edit 'move' needs index, t and d as numbers"):
        friendly(app.edit_curve)(session, False, edit)
