"""Metering: the MeteredProvider wrapper records one CallRecord per model call into a UsageSink."""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.pricing import PriceTable, load_price_table
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk, Usage

__all__ = ["CallRecord", "MeteredProvider", "UsageSink", "estimate_tokens", "estimated_usage"]

OK = "ok"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class CallRecord:
    """One model call as metered: who, what, how many tokens of each kind, how long, how it ended, cost.

    `user` is the request's opaque user tag (never a raw id); costs are None when the model is unpriced.
    """

    at: datetime
    user: str | None
    feature: str
    provider: str
    model: str
    prompt_tokens: int
    cache_hit_tokens: int
    cache_miss_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    latency_ms: float
    attempts: int
    is_cache_hit: bool
    outcome: str
    is_estimated: bool
    cost_usd: Decimal | None
    cost_cny: Decimal | None


class UsageSink(Protocol):
    """Where records go; `record` must not block (a batch writer queues it)."""

    def record(self, call: CallRecord) -> None:
        """Take one record."""
        ...


class FanOutSink:
    """Hands each record to several sinks (the usage recorder and the metrics, say)."""

    def __init__(self, *sinks: UsageSink) -> None:
        self._sinks = sinks

    def record(self, call: CallRecord) -> None:
        """Give `call` to every sink."""
        for sink in self._sinks:
            sink.record(call)


def estimate_tokens(text: str) -> int:
    """A rough token count for when a provider reported none: one a CJK character, one per four others."""
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in ("W", "F"))
    return wide + (len(text) - wide + 3) // 4


@dataclass
class _Outcome:
    provider: str
    model: str
    usage: Usage
    attempts: int = 1
    is_cache_hit: bool = False
    outcome: str = OK
    is_estimated: bool = False


class MeteredProvider:
    """Wraps a Provider: every `complete` and every `stream` (when it ends or is closed) is recorded.

    Errors are recorded with their code, then re-raised. A CachingProvider hit (attempts=0) is recorded
    as a cache hit with zero tokens and zero cost. A stream that ends without usage (cut or closed) is
    recorded with tokens estimated from the text and `is_estimated` set.
    """

    def __init__(
        self,
        inner: Provider,
        sink: UsageSink,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        prices: PriceTable | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.sink = sink
        self._clock = clock
        self._wall_clock = wall_clock
        self._prices = prices or load_price_table()

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The inner answer, recorded."""
        started = self._clock()
        try:
            result = await self.inner.complete(request, deadline=deadline)
        except BaseException as error:
            self._record(request, started, self._failed(request, error, Usage()))
            raise
        outcome = _Outcome(
            result.provider, result.model, result.usage, result.attempts, is_cache_hit=result.attempts == 0
        )
        self._record(request, started, outcome)
        return result

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The inner stream, recorded once it ends, fails or is closed."""
        started = self._clock()
        pieces: list[str] = []
        usage: Usage | None = None
        outcome: _Outcome | None = None
        try:
            async for chunk in self.inner.stream(request, deadline=deadline):
                pieces.append(chunk.text)
                usage = chunk.usage or usage
                yield chunk
        except BaseException as error:
            outcome = self._failed(request, error, usage)
            raise
        finally:
            outcome = outcome or self._ended(request, usage)
            if usage is None:
                outcome.usage = estimated_usage(request, "".join(pieces))
                outcome.is_estimated = True
            self._record(request, started, outcome)

    async def aclose(self) -> None:
        """Close the inner provider."""
        await self.inner.aclose()

    def _ended(self, request: ChatRequest, usage: Usage | None) -> _Outcome:
        return _Outcome(self.name, request.model or self.model, usage or Usage())

    def _failed(self, request: ChatRequest, error: BaseException, usage: Usage | None) -> _Outcome:
        is_cancel = isinstance(error, asyncio.CancelledError | GeneratorExit)
        code = CANCELLED if is_cancel else str(getattr(error, "code", "error"))
        provider = str(getattr(error, "provider", "") or self.name)
        return _Outcome(provider, request.model or self.model, usage or Usage(), outcome=code)

    def _record(self, request: ChatRequest, started: float, outcome: _Outcome) -> None:
        at = self._wall_clock()
        usage = outcome.usage
        usd = self._prices.cost(outcome.provider, outcome.model, usage, at=at, currency="USD")
        cny = self._prices.cost(outcome.provider, outcome.model, usage, at=at, currency="CNY")
        self.sink.record(
            CallRecord(
                at=at,
                user=request.user,
                feature=request.feature,
                provider=outcome.provider,
                model=outcome.model,
                prompt_tokens=usage.prompt_tokens,
                cache_hit_tokens=usage.cache_hit_tokens,
                cache_miss_tokens=max(usage.cache_miss_tokens, usage.prompt_tokens - usage.cache_hit_tokens),
                completion_tokens=usage.completion_tokens,
                reasoning_tokens=usage.reasoning_tokens,
                latency_ms=(self._clock() - started) * 1000,
                attempts=outcome.attempts,
                is_cache_hit=outcome.is_cache_hit,
                outcome=outcome.outcome,
                is_estimated=outcome.is_estimated,
                cost_usd=usd.amount if usd else None,
                cost_cny=cny.amount if cny else None,
            )
        )


def estimated_usage(request: ChatRequest, answer: str) -> Usage:
    """Usage estimated from the text, for a call that ended without the provider's (a cut stream)."""
    prompt = estimate_tokens("".join(message.content for message in request.messages))
    return Usage(prompt_tokens=prompt, cache_miss_tokens=prompt, completion_tokens=estimate_tokens(answer))
