"""Server-Sent Events responses, on FastAPI's own `EventSourceResponse` and its event encoder.

FastAPI ships SSE support (`fastapi.sse`: `EventSourceResponse`, `format_sse_event`), so no SSE library
is added. Its keep-alive and producer machinery serve path operations that are generators, which always
answer 200; the chat route must be able to answer 404, 413 or plain JSON first, so it returns this response
instead. Starlette's streaming response listens for the client's disconnect and cancels the body; this class
then closes the event source (shielded from that cancellation), so the model call behind it ends at once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from jobfirst_ai.features.chat.streaming import aclose_shielded

__all__ = ["EventStream", "NamedEvent"]

logger = logging.getLogger(__name__)

NamedEvent = tuple[str, BaseModel]
"""An event's name (`event:` field) and its payload (the `data:` field, as JSON)."""


class EventStream(EventSourceResponse):
    """`text/event-stream` from (name, payload) pairs. An exception after the response has started can
    only be reported in the stream: `on_failure` turns it into a last event."""

    def __init__(self, events: AsyncIterator[NamedEvent], on_failure: Callable[[], NamedEvent]) -> None:
        self._events = events
        self._on_failure = on_failure
        super().__init__(self._encoded(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A disconnect cancels the body while it waits in `send`, leaving the generator suspended
            # rather than closed; close it now instead of whenever the garbage collector gets to it.
            await aclose_shielded(self.body_iterator)

    async def _encoded(self) -> AsyncIterator[bytes]:
        try:
            async for name, payload in self._events:
                yield _encode(name, payload)
        except Exception:
            logger.exception("an event stream failed after it had started")
            yield _encode(*self._on_failure())
        finally:
            await aclose_shielded(self._events)


def _encode(name: str, payload: BaseModel) -> bytes:
    return format_sse_event(data_str=payload.model_dump_json(), event=name)
