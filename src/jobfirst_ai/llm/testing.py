"""ScriptedProvider: a real Provider that answers from a queue, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass

from jobfirst_ai.errors import ProviderTimeout, ProviderUnavailable
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk, Usage

__all__ = [
    "FakeClock",
    "Reply",
    "ReplyValue",
    "ScriptExhausted",
    "ScriptedProvider",
    "ScriptedReply",
    "estimate_tokens",
]

ReplyValue = ChatResult | str | BaseException
"""A ready answer: a full result, a text (usage estimated), or an exception instance to raise."""

Reply = ReplyValue | Callable[[ChatRequest], ReplyValue]
"""A ready answer, or a function of the request that returns one (or raises)."""


class ScriptExhausted(AssertionError):
    """The provider was asked more often than its script has replies (and no default was set)."""


@dataclass(frozen=True)
class ScriptedReply:
    """One queued reply with its timing: `delay` seconds before answering (before the first chunk).

    `break_after` (streaming only) cuts the stream with ProviderUnavailable after that many text chunks.
    """

    reply: Reply
    delay: float = 0.0
    break_after: int | None = None


class FakeClock:
    """A monotonic clock that moves only when slept on or advanced: no real waiting in tests."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now_value = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        """The current fake `time.monotonic()`."""
        return self.now_value

    async def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock; yields to the loop like a real sleep would."""
        self.sleeps.append(seconds)
        self.now_value += max(0.0, seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move the clock without sleeping (time passing elsewhere)."""
        self.now_value += seconds


def estimate_tokens(text: str) -> int:
    """A rough, deterministic token count (about four characters a token) for scripted usage."""
    return (len(text) + 3) // 4


class ScriptedProvider:
    """Answers each call with the next queued reply and records every request it was asked.

    When the queue is empty it answers with `default`, or raises ScriptExhausted if none was set.
    Delays use the injected `clock` (a FakeClock in tests) and respect the call's deadline.
    """

    def __init__(
        self,
        replies: Iterable[Reply | ScriptedReply] = (),
        *,
        name: str = "scripted",
        model: str = "scripted-model",
        default: Reply | None = None,
        chunk_size: int = 8,
        clock: FakeClock | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.default = default
        self.chunk_size = chunk_size
        self.requests: list[ChatRequest] = []
        self.is_closed = False
        self._queue: deque[ScriptedReply] = deque()
        self._now: Callable[[], float] = clock.now if clock else time.monotonic
        self._sleep: Callable[[float], Awaitable[None]] = clock.sleep if clock else asyncio.sleep
        self.add(*replies)

    def add(self, *replies: Reply | ScriptedReply) -> None:
        """Queue more replies."""
        self._queue.extend(
            item if isinstance(item, ScriptedReply) else ScriptedReply(item) for item in replies
        )

    @property
    def remaining(self) -> int:
        """Replies still queued."""
        return len(self._queue)

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The next reply as a ChatResult, or its exception raised."""
        started = self._now()
        step = await self._next_step(request, deadline)
        return self._resolve(step.reply, request, started)

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The next reply in `chunk_size` pieces, then a finish chunk carrying usage."""
        started = self._now()
        step = await self._next_step(request, deadline)
        result = self._resolve(step.reply, request, started)
        for index, start in enumerate(range(0, len(result.text), self.chunk_size)):
            if step.break_after is not None and index >= step.break_after:
                raise ProviderUnavailable("scripted stream cut", provider=self.name)
            yield StreamChunk(text=result.text[start : start + self.chunk_size])
        yield StreamChunk(usage=result.usage, finish_reason=result.finish_reason)

    async def aclose(self) -> None:
        """Mark the provider closed (tests assert wrappers pass `aclose` on)."""
        self.is_closed = True

    async def _next_step(self, request: ChatRequest, deadline: float) -> ScriptedReply:
        self.requests.append(request)
        step = self._pop()
        remaining = deadline - self._now()
        if remaining <= 0 or step.delay > remaining:
            await self._sleep(max(0.0, remaining))
            raise ProviderTimeout("scripted reply missed the deadline", provider=self.name)
        if step.delay:
            await self._sleep(step.delay)
        return step

    def _pop(self) -> ScriptedReply:
        if self._queue:
            return self._queue.popleft()
        if self.default is None:
            raise ScriptExhausted(f"{self.name}: the script ran out (call {len(self.requests)})")
        return ScriptedReply(self.default)

    def _resolve(self, reply: Reply, request: ChatRequest, started: float) -> ChatResult:
        value = reply(request) if callable(reply) else reply
        if isinstance(value, BaseException):
            raise value
        if isinstance(value, ChatResult):
            return value
        prompt = "".join(message.content for message in request.messages)
        usage = Usage(
            prompt_tokens=estimate_tokens(prompt),
            completion_tokens=estimate_tokens(value),
            cache_miss_tokens=estimate_tokens(prompt),
        )
        return ChatResult(
            text=value,
            provider=self.name,
            model=request.model or self.model,
            usage=usage,
            latency_ms=(self._now() - started) * 1000,
        )
