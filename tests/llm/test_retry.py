"""RetryingProvider: which errors are retried, how long it waits, and the one deadline over it all."""

from __future__ import annotations

import pytest

from jobfirst_ai.errors import (
    InsufficientBalance,
    InvalidModelOutput,
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from jobfirst_ai.llm.retry import RetryingProvider
from jobfirst_ai.llm.testing import FakeClock, Reply, ScriptedProvider, ScriptedReply
from jobfirst_ai.llm.types import ChatRequest, Message

ASK = ChatRequest(messages=(Message(role="user", content="hi"),))


def _retrying(
    replies: list[Reply | ScriptedReply], clock: FakeClock, **options: float
) -> tuple[RetryingProvider, ScriptedProvider]:
    inner = ScriptedProvider(replies, clock=clock)
    attempts = int(options.pop("attempts", 3))
    return RetryingProvider(inner, attempts=attempts, clock=clock.now, sleep=clock.sleep, **options), inner


@pytest.mark.parametrize(
    "error", [RateLimited("429", status_code=429), ProviderUnavailable("503", status_code=503)]
)
async def test_retryable_errors_are_retried_until_success(error: ProviderError) -> None:
    clock = FakeClock()
    provider, inner = _retrying([error, error, "ok"], clock)

    result = await provider.complete(ASK, deadline=clock.now() + 60)

    assert result.text == "ok"
    assert result.attempts == 3
    assert len(inner.requests) == 3
    assert len(clock.sleeps) == 2


async def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    clock = FakeClock()
    last = ProviderUnavailable("third")
    provider, inner = _retrying([ProviderUnavailable("1"), ProviderUnavailable("2"), last, "ok"], clock)

    with pytest.raises(ProviderUnavailable) as raised:
        await provider.complete(ASK, deadline=clock.now() + 60)

    assert raised.value is last
    assert len(inner.requests) == 3


async def test_backoff_is_jittered_under_an_exponential_cap() -> None:
    clock = FakeClock()
    failures: list[Reply | ScriptedReply] = [ProviderUnavailable("503")] * 5
    provider, _ = _retrying([*failures, "ok"], clock, attempts=6, base_delay=1.0, max_delay=4.0)

    await provider.complete(ASK, deadline=clock.now() + 600)

    caps = [1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(0 <= wait <= cap for wait, cap in zip(clock.sleeps, caps, strict=True))


async def test_retry_after_is_a_minimum_wait() -> None:
    clock = FakeClock()
    provider, _ = _retrying([RateLimited("429", retry_after=7.0), "ok"], clock, max_delay=1.0)

    await provider.complete(ASK, deadline=clock.now() + 60)

    assert clock.sleeps == [7.0]


@pytest.mark.parametrize(
    "error",
    [
        ProviderBadRequest("400", status_code=400),
        ProviderAuthError("401", status_code=401),
        InsufficientBalance("402", status_code=402),
        ProviderBadRequest("422", status_code=422),
        InvalidModelOutput("not json"),
        ProviderTimeout("too slow"),
    ],
    ids=lambda error: type(error).__name__ + str(error),
)
async def test_non_retryable_errors_are_raised_at_once(error: ProviderError) -> None:
    clock = FakeClock()
    provider, inner = _retrying([error, "ok"], clock)

    with pytest.raises(type(error)):
        await provider.complete(ASK, deadline=clock.now() + 60)

    assert len(inner.requests) == 1
    assert clock.sleeps == []


async def test_a_wait_past_the_deadline_is_not_taken() -> None:
    clock = FakeClock()
    provider, inner = _retrying([RateLimited("429", retry_after=30.0), "ok"], clock)

    with pytest.raises(RateLimited):
        await provider.complete(ASK, deadline=clock.now() + 5)

    assert len(inner.requests) == 1
    assert clock.sleeps == []


async def test_a_deadline_passed_during_the_attempt_raises_timeout() -> None:
    clock = FakeClock()

    def slow_failure(request: ChatRequest) -> ProviderUnavailable:
        clock.advance(10)
        return ProviderUnavailable("503")

    provider, inner = _retrying([slow_failure, "ok"], clock)

    with pytest.raises(ProviderTimeout) as raised:
        await provider.complete(ASK, deadline=clock.now() + 5)

    assert isinstance(raised.value.__cause__, ProviderUnavailable)
    assert len(inner.requests) == 1


async def test_a_passed_deadline_makes_no_call() -> None:
    clock = FakeClock()
    provider, inner = _retrying(["ok"], clock)

    with pytest.raises(ProviderTimeout):
        await provider.complete(ASK, deadline=clock.now() - 1)

    assert inner.requests == []


async def test_stream_is_retried_before_its_first_chunk() -> None:
    clock = FakeClock()
    provider, inner = _retrying([ProviderUnavailable("503"), "hello world"], clock)

    chunks = [chunk async for chunk in provider.stream(ASK, deadline=clock.now() + 60)]

    assert "".join(chunk.text for chunk in chunks) == "hello world"
    assert chunks[-1].finish_reason == "stop"
    assert len(inner.requests) == 2


async def test_stream_is_not_retried_after_a_chunk_was_yielded() -> None:
    clock = FakeClock()
    provider, inner = _retrying([ScriptedReply("hello world", break_after=1), "again"], clock)
    received: list[str] = []

    with pytest.raises(ProviderUnavailable):
        async for chunk in provider.stream(ASK, deadline=clock.now() + 60):
            received.append(chunk.text)

    assert received == ["hello wo"]
    assert len(inner.requests) == 1


async def test_aclose_reaches_the_inner_provider() -> None:
    clock = FakeClock()
    provider, inner = _retrying([], clock)

    await provider.aclose()

    assert inner.is_closed
