"""Sending an answer the way a step says: delays with keep-alive frames, stalls, cuts and drops."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence

import anyio
from starlette.responses import Response, StreamingResponse

from jobfirst_ai.llm.standin.script import Step

SSE_KEEP_ALIVE = b": keep-alive\n\n"
JSON_KEEP_ALIVE = b"\n"


class StreamDropped(Exception):
    """Raised inside a response body so the server aborts the connection mid-body (a scripted drop)."""


class _HideScriptedDrops(logging.Filter):
    """Keep uvicorn from logging a traceback for every scripted drop."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
            error = error.exceptions[0]
        return not isinstance(error, StreamDropped)


def hide_scripted_drops(logger_name: str = "uvicorn.error") -> None:
    """Install the log filter once on the server's error logger."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, _HideScriptedDrops) for existing in logger.filters):
        logger.addFilter(_HideScriptedDrops())


def deliver(
    frames: Sequence[bytes],
    step: Step,
    *,
    media_type: str,
    keep_alive: bytes | None = None,
    error_frame: bytes | None = None,
) -> Response:
    """A response sending `frames` in order; plain (with Content-Length) when nothing is scripted.

    `keep_alive` is the frame repeated during `step.delay` (None: the caller already slept);
    `error_frame` is what `cut="error"` sends before ending.
    """
    headers = step_headers(step)
    if step.cut_after is None and step.frame_interval == 0 and (keep_alive is None or step.delay == 0):
        return Response(b"".join(frames), step.status, headers, media_type=media_type)
    body = _body(frames, step, keep_alive, error_frame)
    return StreamingResponse(body, step.status, headers, media_type=media_type)


def step_headers(step: Step) -> dict[str, str]:
    """The extra response headers a step asks for (including Retry-After)."""
    headers = dict(step.headers)
    if step.retry_after is not None:
        headers["Retry-After"] = f"{step.retry_after:g}"
    return headers


async def _body(
    frames: Sequence[bytes], step: Step, keep_alive: bytes | None, error_frame: bytes | None
) -> AsyncIterator[bytes]:
    if keep_alive is not None:
        deadline = time.monotonic() + step.delay
        while time.monotonic() < deadline:
            yield keep_alive
            await anyio.sleep(min(step.keep_alive_every, max(0.0, deadline - time.monotonic())))
    limit = len(frames) if step.cut_after is None else step.cut_after
    for index, frame in enumerate(frames[:limit]):
        if index and step.frame_interval:
            await anyio.sleep(step.frame_interval)
        yield frame
    if step.cut_after is None:
        return
    await anyio.sleep(step.hang)
    if step.cut == "drop":
        raise StreamDropped(f"scripted drop after {limit} frames")
    if step.cut == "error" and error_frame is not None:
        yield error_frame
