"""RetryPolicy (jittered backoff on retryable failures, under the deadline) and RetryingProvider."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from jobfirst_ai.errors import ProviderError, ProviderTimeout
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk

__all__ = ["OpenedStream", "RetryPolicy", "RetryingProvider", "close_stream", "open_stream"]

T = TypeVar("T")

OpenedStream = tuple[AsyncIterator[StreamChunk], StreamChunk | None]
"""A started stream and its first chunk (None when it ended without any)."""


async def open_stream(provider: Provider, request: ChatRequest, deadline: float) -> OpenedStream:
    """Start `provider.stream` and wait for its first chunk, so failures before it can be retried."""
    chunks = aiter(provider.stream(request, deadline=deadline))
    try:
        return chunks, await anext(chunks)
    except StopAsyncIteration:
        return chunks, None
    except BaseException:
        await close_stream(chunks)
        raise


async def relay(opened: OpenedStream) -> AsyncIterator[StreamChunk]:
    """Yield an opened stream's first chunk and the rest, closing the stream however the caller stops."""
    chunks, first = opened
    try:
        if first is None:
            return
        yield first
        async for chunk in chunks:
            yield chunk
    finally:
        await close_stream(chunks)


async def close_stream(chunks: AsyncIterator[StreamChunk]) -> None:
    """Close an async generator early (frees its connection); plain iterators need nothing."""
    aclose: Callable[[], Awaitable[object]] | None = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.retryable


class _StopBefore(stop_base):
    """Stop when the next wait would reach the deadline (tenacity computes the wait before `stop`)."""

    def __init__(self, deadline: float, clock: Callable[[], float]) -> None:
        self.deadline = deadline
        self.clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.clock() + retry_state.upcoming_sleep >= self.deadline


@dataclass(frozen=True)
class RetryPolicy:
    """The retry policy every retrying wrapper shares (chat providers, embedders).

    Retries RateLimited/ProviderUnavailable (the `retryable` errors) only. Waits use exponential backoff
    with full jitter, at least the vendor's `retry_after`. A wait that would pass the deadline is not
    taken: the last error is raised instead (ProviderTimeout when the deadline has already passed).
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def run(self, call: Callable[[], Awaitable[T]], deadline: float, *, name: str) -> T:
        """`call` under the policy; it must be a coroutine function (tenacity checks, not awaits)."""
        if self.clock() >= deadline:
            raise ProviderTimeout("the deadline passed before the call", provider=name)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts) | _StopBefore(deadline, self.clock),
            wait=self.wait,
            retry=retry_if_exception(_is_retryable),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return await retrying(call)
        except ProviderError as error:
            if error.retryable and self.clock() >= deadline:
                raise ProviderTimeout("the deadline passed while retrying", provider=name) from error
            raise

    def wait(self, state: RetryCallState) -> float:
        """Full jitter (uniform up to the exponential cap), but never less than the vendor's Retry-After."""
        cap = min(self.max_delay, self.base_delay * 2 ** (state.attempt_number - 1))
        jittered = random.uniform(0, cap)
        error = state.outcome.exception() if state.outcome else None
        retry_after = error.retry_after if isinstance(error, ProviderError) else None
        return max(jittered, retry_after or 0.0)


class RetryingProvider:
    """Wraps a Provider with a `RetryPolicy`; streams are retried only before their first chunk."""

    def __init__(
        self,
        inner: Provider,
        *,
        attempts: int = 3,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.policy = RetryPolicy(attempts, base_delay, max_delay, clock, sleep)

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The inner answer, with `attempts` counting the failed tries before it."""
        failed = 0

        async def attempt() -> ChatResult:
            nonlocal failed
            try:
                return await self.inner.complete(request, deadline=deadline)
            except ProviderError:
                failed += 1
                raise

        result = await self.policy.run(attempt, deadline, name=self.name)
        return result.model_copy(update={"attempts": result.attempts + failed})

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The inner stream; once a chunk has been yielded, errors pass through unretried."""
        opened = await self.policy.run(
            partial(open_stream, self.inner, request, deadline), deadline, name=self.name
        )
        async for chunk in relay(opened):
            yield chunk

    async def aclose(self) -> None:
        """Close the inner provider."""
        await self.inner.aclose()
