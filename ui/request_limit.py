"""A bound on the size of every request's body, before the server reads it whole.

Gradio bounds uploaded files (``max_file_size``) but not the JSON of an event: the API's project string took 200 MB
(and 750 MB of memory to parse). ``RequestSizeLimit`` is an ASGI middleware that answers 413 to a body announced
larger than the bound, and ends one that grows past it while it streams; the upload route keeps Gradio's per-file
bound instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Routes whose bodies are bounded elsewhere (Gradio's upload route: ``max_file_size`` per file).
EXEMPT_SUFFIXES = ("/upload",)


async def refuse(send: Send, max_bytes: int) -> None:
    """Answer 413 with a one-line reason."""
    body = f"request body larger than this server takes ({max_bytes // (1024 * 1024)} MB)".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestSizeLimit:
    """ASGI middleware: request bodies of at most ``max_bytes`` (except ``EXEMPT_SUFFIXES`` routes)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/").endswith(EXEMPT_SUFFIXES):
            await self.app(scope, receive, send)
            return
        announced = dict(scope.get("headers", [])).get(b"content-length")
        if announced is not None and announced.isdigit() and int(announced) > self.max_bytes:
            await refuse(send, self.max_bytes)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:  # a body sent without its length: the reader sees the client go
                return {"type": "http.disconnect"}
            return message

        await self.app(scope, bounded_receive, send)
