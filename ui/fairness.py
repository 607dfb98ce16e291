"""Fair shares of the server's queue: one client cannot fill it for everyone.

Gradio's queue holds at most ``max_size`` events in all, first come first served: 65 joins from one session in 0.2 s
left every other user with "Queue is full". ``share_queue_per_client`` puts a bound on what one client may hold in
the queue at a time (events waiting or running): ``MAX_QUEUED_PER_SESSION`` per page session or API client (Gradio's
session hash), ``MAX_QUEUED_PER_ADDRESS`` per network address (a client that makes up a new session hash for every
call). A join beyond either is refused at once (HTTP 503, with the message), and the other clients are served.
Each join also keeps the sessions' share of memory bounded (``ui.lifecycle.release_idle_sessions``).
Behind a reverse proxy every client has the proxy's address: the per-address bound then applies to all of them
together, so set it (``interp.limits``) to the queue's size there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import gradio as gr

from interp.limits import MAX_QUEUED_PER_ADDRESS, MAX_QUEUED_PER_SESSION
from ui.lifecycle import release_idle_sessions

#: Gradio's ``Queue.push``: (body, request, username) -> (accepted, event id or message, state).
Push = Callable[..., Awaitable[tuple[bool, Any, str]]]


def client_address(request: Any) -> str:
    """The network address a request came from (``""`` when unknown)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", "") or ""


def held_events(queue: Any) -> Iterator[Any]:
    """The events a Gradio queue holds: waiting in each concurrency group's line, then running."""
    for line in queue.event_queue_per_concurrency_id.values():
        yield from line.queue
    for job in queue.active_jobs:
        yield from job or ()


def refusal(queue: Any, session_hash: str | None, address: str, per_session: int, per_address: int) -> str | None:
    """Why a client (``session_hash`` from ``address``) may not add an event to ``queue`` now; None when it may."""
    events = list(held_events(queue))
    in_session = sum(1 for event in events if session_hash and event.session_hash == session_hash)
    if in_session >= per_session:
        return (
            f"this session already has {in_session} requests waiting or running (at most {per_session}); "
            "wait for them to finish"
        )
    from_address = sum(1 for event in events if address and client_address(event.request) == address)
    if from_address >= per_address:
        return (
            f"your address already has {from_address} requests waiting or running (at most {per_address}); "
            "wait for them to finish"
        )
    return None


def share_queue_per_client(
    demo: gr.Blocks, per_session: int = MAX_QUEUED_PER_SESSION, per_address: int = MAX_QUEUED_PER_ADDRESS
) -> None:
    """Bound what one client may hold in ``demo``'s queue (module docstring). Call after ``demo.queue()``."""
    queue = demo._queue
    push: Push = queue.push
    lock: list[asyncio.Lock] = []  # made in the server's event loop, on the first join

    async def shared_push(body: Any, request: Any, username: str | None) -> tuple[bool, Any, str]:
        if not lock:
            lock.append(asyncio.Lock())
        async with lock[0]:  # counted and queued as one step: a burst of joins cannot all pass the count
            why = refusal(queue, body.session_hash, client_address(request), per_session, per_address)
            if why is not None:
                return False, why, "queue_full"
            holder = getattr(demo, "state_holder", None)
            if holder is not None:  # sessions' share of memory: the longest idle go first
                busy = {event.session_hash for event in held_events(queue)} | {body.session_hash}
                release_idle_sessions(holder, busy)
            return await push(body=body, request=request, username=username)

    queue.push = shared_push
