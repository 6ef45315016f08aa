"""CircuitBreaker and BreakerProvider: open after repeated failures, fail fast, probe once, recover."""

from __future__ import annotations

import asyncio

import pytest

from jobfirst_ai.errors import (
    CircuitOpen,
    InvalidModelOutput,
    ProviderBadRequest,
    ProviderBusy,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from jobfirst_ai.llm.breaker import BreakerProvider, CircuitBreaker
from jobfirst_ai.llm.testing import FakeClock, Reply, ScriptedProvider, ScriptedReply
from jobfirst_ai.llm.types import ChatRequest, Message

ASK = ChatRequest(messages=(Message(role="user", content="hi"),))
DOWN = ProviderUnavailable("503", provider="flaky")


def _guarded(
    replies: list[Reply | ScriptedReply], clock: FakeClock, threshold: int = 3
) -> tuple[BreakerProvider, ScriptedProvider]:
    inner = ScriptedProvider(replies, name="flaky", clock=clock)
    breaker = CircuitBreaker(name="flaky", failure_threshold=threshold, cooldown=30.0, clock=clock.now)
    return BreakerProvider(inner, breaker), inner


async def _fail(provider: BreakerProvider, clock: FakeClock, times: int) -> None:
    for _ in range(times):
        with pytest.raises(ProviderError):
            await provider.complete(ASK, deadline=clock.now() + 60)


async def test_defaults_are_five_failures_and_thirty_seconds() -> None:
    breaker = CircuitBreaker()

    assert (breaker.failure_threshold, breaker.cooldown, breaker.state) == (5, 30.0, "closed")


@pytest.mark.parametrize(
    "error", [DOWN, RateLimited("429"), ProviderTimeout("slow")], ids=lambda error: type(error).__name__
)
async def test_opens_after_consecutive_provider_failures(error: ProviderError) -> None:
    clock = FakeClock()
    provider, inner = _guarded([error] * 3, clock)

    await _fail(provider, clock, 3)

    assert provider.breaker.state == "open"
    assert len(inner.requests) == 3


async def test_fails_fast_while_open_without_calling_the_provider() -> None:
    clock = FakeClock()
    provider, inner = _guarded([DOWN] * 3, clock)
    await _fail(provider, clock, 3)

    with pytest.raises(CircuitOpen) as raised:
        await provider.complete(ASK, deadline=clock.now() + 60)

    assert len(inner.requests) == 3
    assert raised.value.retry_after == 30.0
    assert raised.value.provider == "flaky"


async def test_a_success_resets_the_count() -> None:
    clock = FakeClock()
    provider, _ = _guarded([DOWN, DOWN, "ok", DOWN, DOWN], clock)

    await _fail(provider, clock, 2)
    await provider.complete(ASK, deadline=clock.now() + 60)
    await _fail(provider, clock, 2)

    assert provider.breaker.state == "closed"
    assert provider.breaker.consecutive_failures == 2


@pytest.mark.parametrize("error", [ProviderBadRequest("400"), InvalidModelOutput("bad json")])
async def test_request_side_errors_do_not_open_it(error: ProviderError) -> None:
    clock = FakeClock()
    provider, _ = _guarded([error] * 5, clock)

    await _fail(provider, clock, 5)

    assert provider.breaker.state == "closed"


async def test_reads_half_open_once_the_cooldown_is_over() -> None:
    clock = FakeClock()
    provider, _ = _guarded([DOWN] * 3, clock)
    await _fail(provider, clock, 3)

    states = []
    for step in (29.9, 0.1):
        clock.advance(step)
        states.append(provider.breaker.state)

    assert states == ["open", "half_open"]


async def test_a_good_probe_closes_it() -> None:
    clock = FakeClock()
    provider, inner = _guarded([DOWN, DOWN, DOWN, "recovered"], clock)
    await _fail(provider, clock, 3)
    clock.advance(30)

    result = await provider.complete(ASK, deadline=clock.now() + 60)

    assert result.text == "recovered"
    assert provider.breaker.state == "closed"
    assert len(inner.requests) == 4


async def test_a_failed_probe_opens_it_again() -> None:
    clock = FakeClock()
    provider, inner = _guarded([DOWN] * 4, clock)
    await _fail(provider, clock, 3)
    clock.advance(30)

    await _fail(provider, clock, 1)

    assert provider.breaker.state == "open"
    with pytest.raises(CircuitOpen):
        await provider.complete(ASK, deadline=clock.now() + 60)
    assert len(inner.requests) == 4


async def test_half_open_lets_one_probe_through_at_a_time() -> None:
    clock = FakeClock()
    provider, inner = _guarded([DOWN, DOWN, DOWN, ScriptedReply("slow probe", delay=1.0)], clock)
    await _fail(provider, clock, 3)
    clock.advance(30)

    probe = asyncio.create_task(provider.complete(ASK, deadline=clock.now() + 60))
    await asyncio.sleep(0)
    with pytest.raises(CircuitOpen):
        await provider.complete(ASK, deadline=clock.now() + 60)

    assert (await probe).text == "slow probe"
    assert len(inner.requests) == 4


async def test_a_cancelled_probe_frees_the_probe_slot() -> None:
    clock = FakeClock()
    provider, _ = _guarded([DOWN, DOWN, DOWN, ScriptedReply("never", delay=1.0), "next probe"], clock)
    await _fail(provider, clock, 3)
    clock.advance(30)
    probe = asyncio.create_task(provider.complete(ASK, deadline=clock.now() + 60))
    await asyncio.sleep(0)

    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe

    assert (await provider.complete(ASK, deadline=clock.now() + 60)).text == "next probe"
    assert provider.breaker.state == "closed"


async def test_streams_are_guarded_too() -> None:
    clock = FakeClock()
    provider, inner = _guarded([ScriptedReply("abcdefghijk", break_after=1)] * 3, clock)

    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            _ = [chunk async for chunk in provider.stream(ASK, deadline=clock.now() + 60)]

    with pytest.raises(CircuitOpen):
        _ = [chunk async for chunk in provider.stream(ASK, deadline=clock.now() + 60)]
    assert len(inner.requests) == 3


async def test_no_free_concurrency_slot_says_nothing_of_the_providers_health() -> None:
    clock = FakeClock()
    busy = ProviderBusy("every slot taken", provider="flaky")
    provider, _ = _guarded([DOWN, busy, DOWN, busy, DOWN], clock, threshold=3)
    await _fail(provider, clock, 5)  # down, busy, down, busy, down: three failures in a row, busy aside
    assert provider.breaker.state == "open"


async def test_a_half_open_probe_without_a_slot_neither_closes_nor_reopens_the_breaker() -> None:
    clock = FakeClock()
    provider, _ = _guarded([DOWN, DOWN, ProviderBusy("busy", provider="flaky"), "ok"], clock, threshold=2)
    await _fail(provider, clock, 2)
    clock.advance(31)
    with pytest.raises(ProviderBusy):
        await provider.complete(ASK, deadline=clock.now() + 60)
    assert provider.breaker.state == "half_open"
    assert (await provider.complete(ASK, deadline=clock.now() + 60)).text == "ok"
    assert provider.breaker.state == "closed"
