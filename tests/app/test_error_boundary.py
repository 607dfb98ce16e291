"""The app's one error boundary (``ui.handlers.friendly``): the project's errors are messages, anything else is a
bug, logged with its traceback and shown as a short generic message; the session survives both. And a failed edit
is followed by no preview."""

from __future__ import annotations

import logging

import gradio as gr
import pytest

from interp.app.session import Session
from interp.app.workspace import Workspace
from interp.errors import InputError, WeightsError
from ui.handlers import INTERNAL_ERROR, App, friendly
from ui.panels import AUTO, INCLUDE

SECRET = "/srv/interp/secret-7f3a"


def _select(x: float, y: float) -> gr.SelectData:
    return gr.SelectData(None, {"index": [x, y], "value": None, "selected": True})


def _bug(*_args: object, **_kwargs: object) -> None:
    raise KeyError(f"no entry {SECRET}")


def _bug_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ui.handlers" and r.levelno >= logging.ERROR]


@pytest.mark.parametrize("error", [InputError, WeightsError])
def test_the_projects_errors_are_shown_as_their_text(error: type[Exception], caplog: pytest.LogCaptureFixture) -> None:
    def handler() -> None:
        raise error("the <b>file</b> a.png is missing")

    with pytest.raises(gr.Error) as shown:
        friendly(handler)()
    assert shown.value.message == "the &lt;b&gt;file&lt;/b&gt; a.png is missing"  # as text, not markup
    assert _bug_records(caplog) == []  # not a bug: nothing logged
    assert not shown.value.print_exception  # nor by Gradio (a refused request printed 2 KB of traceback)


def test_an_input_error_of_a_real_handler_is_its_message(app: App, session: Session) -> None:
    with pytest.raises(gr.Error, match="unknown click mode 'lasso'"):
        friendly(app.click)(session, "lasso", 8, _select(35, 30))


@pytest.mark.parametrize("bug", [ValueError, KeyError, TypeError])
def test_any_other_exception_is_a_logged_bug_with_a_generic_message(
    bug: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    def handler() -> None:
        raise bug(f"cannot open {SECRET}")

    with caplog.at_level(logging.ERROR, logger="ui.handlers"), pytest.raises(gr.Error) as shown:
        friendly(handler)()
    assert shown.value.message == INTERNAL_ERROR
    assert "secret-7f3a" not in shown.value.message
    (record,) = _bug_records(caplog)
    assert record.exc_info is not None
    assert record.exc_info[0] is bug
    assert "handler" in record.getMessage()
    assert "secret-7f3a" in caplog.text  # the details: in the server log only
    assert not shown.value.print_exception  # logged once, above; not again by Gradio


def test_a_bug_in_a_real_handler_leaves_the_session_usable(
    app: App, session: Session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(app.segmenter, "segment", _bug)
    with caplog.at_level(logging.ERROR, logger="ui.handlers"), pytest.raises(gr.Error) as shown:
        friendly(app.click)(session, INCLUDE, 8, _select(40, 40))
    assert shown.value.message == INTERNAL_ERROR
    assert "KeyError" in caplog.text
    assert "secret-7f3a" in caplog.text
    monkeypatch.undo()
    views = friendly(app.click)(session, INCLUDE, 8, _select(40, 40))  # the same session goes on
    assert views[app.panels.states.session] is session
    assert session.objects[-1].mask is not None


def test_a_bug_in_a_render_is_logged_too(
    app: App, session: Session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Generators (the render) have the same boundary, around every step."""
    monkeypatch.setattr(app.pool, "get", _bug)
    workspace = Workspace()
    try:
        steps = friendly(app.render)(session, workspace, 3, 10, "forward", "rife-v4", AUTO, 2, "working size")
        assert app.panels.render.summary in next(steps)  # validated: "rendering… 0/3 frames"
        with caplog.at_level(logging.ERROR, logger="ui.handlers"), pytest.raises(gr.Error) as shown:
            next(steps)
    finally:
        workspace.cleanup()
    assert shown.value.message == INTERNAL_ERROR
    assert len(_bug_records(caplog)) == 1


def test_a_failed_edit_is_followed_by_no_preview() -> None:
    """Every preview that follows another event runs only when that event succeeded (``.success``)."""
    from ui.layout import build_app

    demo = build_app()
    # the two-frame page: 20 edits, and the still previews the time slider and the tint toggle start themselves; the
    # clip page: 13 edits, and the still its time slider starts
    for page, edits, own in (("App", 20, 2), ("ClipPage", 13, 1)):
        names = (f"{page}.preview", f"{page}.animate")
        previews = [d for d in demo.fns.values() if getattr(d.fn, "__qualname__", "") in names]
        chained = [d for d in previews if d.trigger_after is not None]
        assert len(chained) == 2 * edits  # the still and the animation after each edit
        assert all(d.trigger_only_on_success for d in chained)
        assert len(previews) - len(chained) == own
