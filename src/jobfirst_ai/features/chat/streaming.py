"""Stream plumbing of the chat: closing a stream even while its request is being cancelled, and pieces.

A client that goes away cancels the request's task. Any cleanup awaited in that state is cancelled again at
its first await (anyio delivers cancellation until the scope exits), so the upstream model stream would not
be closed and its HTTP request would run on, billed, until the model finished. Cleanup therefore runs in a
shielded scope, bounded by its own timeout.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Final, TypeVar

import anyio

__all__ = ["CLEANUP_SECONDS", "REPLAY_CHARS", "aclose_shielded", "closing_shielded", "pieces", "shielded"]

logger = logging.getLogger(__name__)

CLEANUP_SECONDS: Final = 5.0
REPLAY_CHARS: Final = 16  # a ready reply is streamed in pieces of this size, so clients read one protocol

T = TypeVar("T")


async def shielded(work: Callable[[], Awaitable[T]], *, timeout: float = CLEANUP_SECONDS) -> T | None:
    """Run `work` to its end even if the surrounding task is being cancelled; None if it timed out."""
    with anyio.CancelScope(shield=True), anyio.move_on_after(timeout):
        return await work()
    logger.warning("cleanup did not finish within %.1f s", timeout)
    return None


async def aclose_shielded(stream: object) -> None:
    """Close an async generator early (its `finally` blocks run: connections are released); other
    iterators need nothing."""
    aclose: Callable[[], Awaitable[object]] | None = getattr(stream, "aclose", None)
    if aclose is not None:
        await shielded(aclose)


@asynccontextmanager
async def closing_shielded(stream: AsyncIterator[T]) -> AsyncIterator[AsyncIterator[T]]:
    """`contextlib.aclosing`, with the close shielded from the request's cancellation."""
    try:
        yield stream
    finally:
        await aclose_shielded(stream)


def pieces(text: str, size: int = REPLAY_CHARS) -> list[str]:
    """A ready reply cut into stream-sized pieces."""
    return [text[start : start + size] for start in range(0, len(text), size)]
