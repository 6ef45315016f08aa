"""How each vendor-route response of the stand-in ended: sent to the end, or cut by the client going away.

A caller that stops reading a streamed answer must also stop the model: the real vendors keep generating
(and billing) until the connection closes. `Exchange.outcome` lets a test see that the caller's side closed
the connection mid-stream ("disconnected") rather than reading to the end ("completed"); "aborted" is the
stand-in's own scripted drop or a failure in the route.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Outcome = Literal["completed", "disconnected", "aborted"]


class Exchange(BaseModel):
    """One response, from its request's arrival to its end (wall-clock times, comparable across processes)."""

    method: str
    path: str
    status: int | None = Field(default=None, description="None when no response was started")
    outcome: Outcome
    body_bytes: int = Field(description="Body bytes handed to the server before the end")
    started_at: float = Field(description="time.time() when the request arrived")
    first_body_at: float | None = Field(default=None, description="time.time() when body bytes first left")
    ended_at: float = Field(description="time.time() when the response ended")


class ExchangeRecorder:
    """Pure-ASGI middleware that records an `Exchange` for every request outside `skip_prefix`."""

    def __init__(self, app: ASGIApp, *, record: Callable[[Exchange], None], skip_prefix: str) -> None:
        self.app = app
        self._record = record
        self._skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self._skip_prefix):
            await self.app(scope, receive, send)
            return
        watch = _Watch()

        async def watched_receive() -> Message:
            message = await receive()
            watch.is_disconnected |= message["type"] == "http.disconnect"
            return message

        async def watched_send(message: Message) -> None:
            watch.saw(message)
            await send(message)

        try:
            await self.app(scope, watched_receive, watched_send)
        finally:
            self._record(watch.exchange(scope))


class _Watch:
    """What the middleware saw of one exchange."""

    def __init__(self) -> None:
        self.started_at = time.time()
        self.status: int | None = None
        self.body_bytes = 0
        self.first_body_at: float | None = None
        self.is_finished = False
        self.is_disconnected = False

    def saw(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        elif message["type"] == "http.response.body":
            size = len(message.get("body", b""))
            if size and self.first_body_at is None:
                self.first_body_at = time.time()
            self.body_bytes += size
            self.is_finished = not message.get("more_body", False)

    def exchange(self, scope: Scope) -> Exchange:
        outcome: Outcome = "completed" if self.is_finished else "aborted"
        if not self.is_finished and self.is_disconnected:
            outcome = "disconnected"
        return Exchange(
            method=scope["method"],
            path=scope["path"],
            status=self.status,
            outcome=outcome,
            body_bytes=self.body_bytes,
            started_at=self.started_at,
            first_body_at=self.first_body_at,
            ended_at=time.time(),
        )
