"""The one contract every model backend and every wrapper implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk


@runtime_checkable
class Provider(Protocol):
    """A chat model: `complete` answers once, `stream` yields chunks; `aclose` frees connections.

    `deadline` is an absolute `time.monotonic()` value: the whole call, retries included, must end by
    then (ProviderTimeout otherwise). Errors are `jobfirst_ai.errors.ProviderError` subclasses, never a
    vendor's or HTTP library's own exceptions.
    """

    name: str
    model: str

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """One complete answer."""
        ...

    def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The answer in pieces, ending with a chunk that has `finish_reason` (and usage if known)."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...
