"""Per-request context any layer may read or feed: the request id, and the time spent waiting on models.

The HTTP middleware opens a `request_context` around each request; code deeper down (logging, the model
layer's metering) reads the request id or adds model-wait time without knowing about HTTP. Outside a
request (task workers, the CLI) there is no context: the id reads None and model wait is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["RequestTiming", "add_model_wait", "current_request_id", "current_timing", "request_context"]


@dataclass
class RequestTiming:
    """Model-wait seconds of one request; shared (not copied) by the tasks the request starts."""

    model_wait_seconds: float = 0.0


_request_id: ContextVar[str | None] = ContextVar("jobfirst_request_id", default=None)
_timing: ContextVar[RequestTiming | None] = ContextVar("jobfirst_request_timing", default=None)


@contextmanager
def request_context(request_id: str) -> Iterator[RequestTiming]:
    """Make `request_id` and a fresh timing current for the block."""
    timing = RequestTiming()
    id_token = _request_id.set(request_id)
    timing_token = _timing.set(timing)
    try:
        yield timing
    finally:
        _timing.reset(timing_token)
        _request_id.reset(id_token)


def current_request_id() -> str | None:
    """The id of the request being served, or None outside one."""
    return _request_id.get()


def current_timing() -> RequestTiming | None:
    """The timing of the request being served, or None outside one."""
    return _timing.get()


def add_model_wait(seconds: float) -> None:
    """Count `seconds` of waiting on a model against the current request (no-op outside one).

    Parallel calls within one request add up, so the sum can exceed the request's wall time; the
    overhead reported to the caller is clamped at zero.
    """
    timing = _timing.get()
    if timing is not None and seconds > 0:
        timing.model_wait_seconds += seconds
