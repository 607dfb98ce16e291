"""What arrives over the web (uploaded projects, API calls, names, uploads) cannot reach the server's files or the page.

Handler-level: the page's and the API's handlers called directly, as Gradio calls them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pytest

from interp.media import write_image
from interp.project import png_data_uri, project_to_dict
from interp.session import Session, to_project
from ui.handlers import App, friendly


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
        messages.append(refused.value.message.replace(repr(reference), "<ref>"))
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
        return friendly(app.api_render_project)(str(frame0), str(frame1), json.dumps(document))

    messages = _refusals(call, references, document_for)
    assert len(set(messages)) == 1, messages
    assert "cannot read files" in messages[0]
