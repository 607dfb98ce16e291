"""The life of a page session on a shared server: what a session holds goes back when its tab closes.

Gradio keeps a closed tab's ``gr.State`` values for another hour (and a state that no event ever returned, like the
workspace, for as long as the process runs), so the app does not wait for it: the page registers its session's
parts when it loads (``LiveSessions.open``) and releases them when Gradio reports the tab closed (``demo.unload``)
or the session's state expires (its ``time_to_live``): frames and masks, the session's preview work in the
process-wide store, and its temporary folder; and the clip page's (``LiveSessions.open_clip``): its decoded clip and
tracked masks (temporary files) and its render folder.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np

from interp.app.clip_session import ClipSession
from interp.app.preview import PreviewCache
from interp.app.session import Session
from interp.app.workspace import Workspace, remove_own_folders, remove_stale_folders
from interp.limits import MAX_LIVE_SESSIONS, MAX_SESSIONS_BYTES

#: A session's state is dropped this long after its last edit even while its tab stays open (seconds).
SESSION_TTL_S = 6 * 3600


@dataclass
class SessionParts:
    """What one page session holds: its state, its handle on the preview store, its temporary folder."""

    session: Session
    cache: PreviewCache
    workspace: Workspace


def empty_session(session: Session) -> None:
    """Drop a session's frames, originals and objects in place (Gradio may keep the object itself for an hour)."""
    vars(session).update(vars(Session()))


def release_parts(parts: SessionParts) -> None:
    """Give back everything a session holds: its frames and objects, its previews, its folder."""
    empty_session(parts.session)
    parts.cache.forget()
    parts.workspace.cleanup()


def return_freed_memory() -> None:
    """Ask the C allocator to hand freed memory back to the system (glibc keeps freed blocks of a few MB, such as
    1280-px frames, in its heap, where they count as the process's memory until reused). A no-op elsewhere."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


def release_clip(clip: ClipSession, workspace: Workspace) -> None:
    """Give back what the clip page holds: the decoded clip and masks (temporary files), its render folder."""
    clip.close()
    workspace.cleanup()


class LiveSessions:
    """The parts of every open page session, by Gradio's session id; thread-safe."""

    def __init__(self) -> None:
        self._parts: dict[str, SessionParts] = {}
        self._clips: dict[str, tuple[ClipSession, Workspace]] = {}
        self._lock = threading.Lock()

    def open_clip(self, key: str, clip: ClipSession, workspace: Workspace) -> None:
        """Register a session's clip page (when the page loads); released with the session (``end``)."""
        with self._lock:
            self._clips[key] = (clip, workspace)

    def end_clip_state(self, clip: ClipSession) -> None:
        """Release a clip page whose state Gradio dropped (``gr.State(delete_callback=...)``)."""
        with self._lock:
            keys = [key for key, (held, _) in self._clips.items() if held is clip]
            parts = [self._clips.pop(key) for key in keys]
        for held, workspace in parts:
            release_clip(held, workspace)
        clip.close()

    def open(self, key: str, session: Session, cache: PreviewCache, workspace: Workspace) -> None:
        """Register a session's parts (when its page loads)."""
        with self._lock:
            self._parts[key] = SessionParts(session, cache, workspace)

    def end(self, key: str) -> bool:
        """Release a session's parts (its tab closed); False when it was not open."""
        with self._lock:
            parts = self._parts.pop(key, None)
            clip = self._clips.pop(key, None)
        if clip is not None:
            release_clip(*clip)
        if parts is None:
            return clip is not None
        release_parts(parts)
        return_freed_memory()
        return True

    def end_state(self, session: Session) -> None:
        """Release the session that holds this state (Gradio dropped it: ``gr.State(delete_callback=...)``)."""
        with self._lock:
            keys = [key for key, parts in self._parts.items() if parts.session is session]
        for key in keys:
            self.end(key)
        if not keys:
            empty_session(session)

    def __len__(self) -> int:
        return len(self._parts)


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM runs the ``atexit`` handlers (this app's folders, Gradio's cache; by default none run) and ends the
    process at once with status 128 + signum. Not through ``sys.exit``: with a render running, the interpreter's
    own shutdown destroyed the C++ threads of the model's runtime while they ran ("terminate called without an
    active exception", a core dump)."""
    atexit._run_exitfuncs()  # the documented behaviour of a normal exit, run here before the hard one
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(128 + signum)


def manage_temp_folders() -> list[Path]:
    """At start-up: remove the folders of apps that are gone, and have this process remove its own when it exits
    (normally, on Ctrl+C or on SIGTERM). Call from the main thread; returns the stale folders removed."""
    removed = remove_stale_folders()
    atexit.register(remove_own_folders)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return removed


def session_bytes(session: Session) -> int:
    """Bytes of the arrays a session holds: frames, originals, masks, and the masks its undo history keeps."""
    arrays = [session.img0, session.img1, *(session.originals or ())]
    for obj in session.objects:
        arrays += [obj.mask, obj.segmented]
    arrays += [getattr(edit, "segmented", None) for edit in session.history]
    return sum(array.nbytes for array in arrays if isinstance(array, np.ndarray))


def held_bytes(state: Any) -> int:
    """Bytes held by the sessions in one of Gradio's per-session states (``SessionState``)."""
    values = getattr(state, "state_data", {}).values()
    return sum(session_bytes(value) for value in values if isinstance(value, Session))


def release_idle_sessions(
    holder: Any, busy: Collection[str], max_sessions: int = MAX_LIVE_SESSIONS, max_bytes: int = MAX_SESSIONS_BYTES
) -> list[str]:
    """Keep Gradio's per-session states (``holder``: its ``StateHolder``) within ``max_sessions`` sessions and
    ``max_bytes`` of frames and masks: release the sessions idle longest first (never one in ``busy``, those with a
    request waiting or running), running their states' ``delete_callback`` (frames, previews, render folders go).
    Returns the released session ids."""
    order = list(holder.session_data)  # least recently used first (Gradio moves a session to the end on each use)
    sizes = {key: held_bytes(holder.session_data[key]) for key in order}
    count, total = len(order), sum(sizes.values())
    released = []
    for key in order:
        if count <= max_sessions and total <= max_bytes:
            break
        if key in busy:
            continue
        holder.delete_state(key)
        holder.session_data.pop(key, None)
        holder.time_last_used.pop(key, None)
        count, total = count - 1, total - sizes[key]
        released.append(key)
    if released:
        return_freed_memory()
    return released
