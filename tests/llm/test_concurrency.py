"""Calls in flight per provider: MemorySlots in one process, RedisSlots across links, LimitedProvider, and the
limit in the chain `build_chain` composes (against the stand-in over real HTTP)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from jobfirst_ai.config import load_settings
from jobfirst_ai.errors import ProviderBusy, ProviderUnavailable
from jobfirst_ai.llm.concurrency import LimitedProvider, MemorySlots, RedisSlots
from jobfirst_ai.llm.retry import RetryingProvider
from jobfirst_ai.llm.router import build_chain
from jobfirst_ai.llm.standin import ThreadedStandin
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message, StreamChunk
from jobfirst_ai.redis_link import RedisLink
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

DEAD_REDIS = "redis://127.0.0.1:6390/0"
REQUEST = ChatRequest(messages=(Message(role="user", content="hello"),), max_tokens=20)


class SlowProvider:
    """A provider that takes `delay` seconds per call and records how many calls were in flight at once."""

    name = "fake"
    model = "fake-1"

    def __init__(self, delay: float = 0.05, *, fail: BaseException | None = None) -> None:
        self.delay = delay
        self.fail = fail
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls = 0
        self.started = asyncio.Event()

    def _enter(self) -> None:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.started.set()

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        self._enter()
        try:
            await asyncio.sleep(self.delay)
            if self.fail is not None:
                raise self.fail
            return ChatResult(text="ok", provider=self.name, model=self.model)
        finally:
            self.in_flight -= 1

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        self._enter()
        try:
            for index in range(3):
                await asyncio.sleep(self.delay)
                yield StreamChunk(text=f"part{index} ")
            yield StreamChunk(finish_reason="stop")
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        return None


def _deadline(seconds: float = 10.0) -> float:
    return time.monotonic() + seconds


async def _burst(providers: list[LimitedProvider], count: int) -> list[ChatResult | BaseException]:
    calls = [
        providers[index % len(providers)].complete(REQUEST, deadline=_deadline()) for index in range(count)
    ]
    return list(await asyncio.gather(*calls, return_exceptions=True))


# --- MemorySlots / LimitedProvider -------------------------------------------------------------------------


async def test_at_most_the_limit_is_in_flight_and_every_call_succeeds_given_time() -> None:
    fake = SlowProvider(delay=0.05)
    limited = LimitedProvider(fake, MemorySlots(2), wait_seconds=5)

    results = await _burst([limited], 6)

    assert all(isinstance(result, ChatResult) for result in results), results
    assert (fake.calls, fake.max_in_flight) == (6, 2)


async def test_with_a_short_wait_the_extra_calls_are_provider_busy() -> None:
    fake = SlowProvider(delay=0.3)
    slots = MemorySlots(2)
    limited = LimitedProvider(fake, slots, wait_seconds=0.05)

    results = await _burst([limited], 6)

    busy = [result for result in results if isinstance(result, ProviderBusy)]
    assert sum(isinstance(result, ChatResult) for result in results) == 2
    assert len(busy) == 4
    assert all(
        (error.code, error.status, error.retryable, error.provider) == ("provider_busy", 503, False, "fake")
        for error in busy
    )
    assert (fake.calls, fake.max_in_flight) == (2, 2)
    assert slots.in_use("fake") == 0


async def test_the_call_deadline_bounds_the_wait() -> None:
    slots = MemorySlots(1)
    limited = LimitedProvider(SlowProvider(delay=1.0), slots, wait_seconds=30)
    holder = asyncio.create_task(limited.complete(REQUEST, deadline=_deadline()))
    await asyncio.sleep(0.01)

    started = time.monotonic()
    with pytest.raises(ProviderBusy):
        await limited.complete(REQUEST, deadline=time.monotonic() + 0.1)

    assert time.monotonic() - started < 0.5
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    assert slots.in_use("fake") == 0


async def test_busy_is_not_retried() -> None:
    slots = MemorySlots(1)
    fake = SlowProvider(delay=0.3)
    limited = LimitedProvider(fake, slots, wait_seconds=0.02)
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    retrying = RetryingProvider(limited, attempts=3, sleep=no_sleep)
    holder = asyncio.create_task(limited.complete(REQUEST, deadline=_deadline()))
    await fake.started.wait()

    with pytest.raises(ProviderBusy):
        await retrying.complete(REQUEST, deadline=_deadline())

    assert sleeps == [] and fake.calls == 1
    await holder


async def test_the_slot_is_released_when_the_call_fails() -> None:
    slots = MemorySlots(1)
    failing = LimitedProvider(
        SlowProvider(delay=0.01, fail=ProviderUnavailable("down", provider="fake")), slots, wait_seconds=0.05
    )
    for _ in range(3):  # each failure gives its slot back, or the second would be ProviderBusy
        with pytest.raises(ProviderUnavailable):
            await failing.complete(REQUEST, deadline=_deadline())
    assert slots.in_use("fake") == 0

    fine = LimitedProvider(SlowProvider(delay=0.01), slots, wait_seconds=0.05)
    assert (await fine.complete(REQUEST, deadline=_deadline())).text == "ok"


async def test_the_slot_is_released_when_the_call_is_cancelled() -> None:
    slots = MemorySlots(1)
    fake = SlowProvider(delay=5.0)
    limited = LimitedProvider(fake, slots, wait_seconds=0.05)
    task = asyncio.create_task(limited.complete(REQUEST, deadline=_deadline()))
    await fake.started.wait()
    assert slots.in_use("fake") == 1

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert slots.in_use("fake") == 0
    fake.delay = 0.01
    assert (await limited.complete(REQUEST, deadline=_deadline())).text == "ok"


async def test_a_waiter_cancelled_while_queued_takes_no_slot() -> None:
    slots = MemorySlots(1)
    fake = SlowProvider(delay=0.2)
    limited = LimitedProvider(fake, slots, wait_seconds=5)
    holder = asyncio.create_task(limited.complete(REQUEST, deadline=_deadline()))
    await fake.started.wait()
    waiter = asyncio.create_task(limited.complete(REQUEST, deadline=_deadline()))
    await asyncio.sleep(0.02)

    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await holder

    assert fake.calls == 1 and slots.in_use("fake") == 0


async def test_a_stream_holds_its_slot_until_it_ends() -> None:
    slots = MemorySlots(1)
    fake = SlowProvider(delay=0.02)
    limited = LimitedProvider(fake, slots, wait_seconds=0.01)

    stream = limited.stream(REQUEST, deadline=_deadline())
    first = await anext(stream)
    assert first.text == "part0 " and slots.in_use("fake") == 1
    with pytest.raises(ProviderBusy):
        await limited.complete(REQUEST, deadline=_deadline())

    rest = [chunk async for chunk in stream]

    assert rest[-1].finish_reason == "stop"
    assert slots.in_use("fake") == 0
    assert (await limited.complete(REQUEST, deadline=_deadline())).text == "ok"


async def test_a_stream_closed_early_gives_its_slot_back() -> None:
    slots = MemorySlots(1)
    fake = SlowProvider(delay=0.02)
    limited = LimitedProvider(fake, slots, wait_seconds=0.01)

    stream = limited.stream(REQUEST, deadline=_deadline())
    await anext(stream)
    assert slots.in_use("fake") == 1
    await stream.aclose()  # type: ignore[attr-defined]

    assert slots.in_use("fake") == 0 and fake.in_flight == 0
    assert (await limited.complete(REQUEST, deadline=_deadline())).text == "ok"


async def test_a_stream_refused_a_slot_raises_before_its_first_chunk() -> None:
    slots = MemorySlots(1)
    fake = SlowProvider(delay=0.3)
    limited = LimitedProvider(fake, slots, wait_seconds=0.02)
    holder = asyncio.create_task(limited.complete(REQUEST, deadline=_deadline()))
    await fake.started.wait()

    with pytest.raises(ProviderBusy):
        await anext(limited.stream(REQUEST, deadline=_deadline()))

    await holder
    assert fake.calls == 1 and slots.in_use("fake") == 0


# --- RedisSlots --------------------------------------------------------------------------------------------


async def test_redis_slots_on_two_links_share_the_limit(
    redis_prefix: str, make_link: Callable[..., RedisLink]
) -> None:
    fake = SlowProvider(delay=0.1)  # one backend behind two "instances": it sees the calls of both
    slots = [RedisSlots(make_link(prefix=redis_prefix), 2, lease_seconds=30) for _ in range(2)]
    assert slots[0].link.client is not slots[1].link.client

    results = await _burst([LimitedProvider(fake, each, wait_seconds=5) for each in slots], 6)

    assert all(isinstance(result, ChatResult) for result in results), results
    assert fake.calls == 6 and fake.max_in_flight == 2
    for each in slots:  # counted in Redis, not in each "instance's" fallback
        assert each.link.is_up and each.fallback.in_use("fake") == 0
    key = slots[0].link.key("slots", "fake")
    assert key == f"{redis_prefix}slots:fake"
    assert await slots[0].link.run(lambda client: client.zcard(key)) == 0  # every holder released


async def test_redis_slots_refuse_past_the_limit_and_free_on_release(
    redis_prefix: str, make_link: Callable[..., RedisLink]
) -> None:
    one = RedisSlots(make_link(prefix=redis_prefix), 2, lease_seconds=30)
    two = RedisSlots(make_link(prefix=redis_prefix), 2, lease_seconds=30)
    first = await one.acquire("fake", wait_until=time.monotonic())
    second = await two.acquire("fake", wait_until=time.monotonic())
    assert first and second and first != second

    started = time.monotonic()
    assert await one.acquire("fake", wait_until=started + 0.1) is None
    assert 0.05 <= time.monotonic() - started < 0.5

    await two.release("fake", second)
    third = await one.acquire("fake", wait_until=time.monotonic())
    assert third is not None
    await one.release("fake", first)
    await one.release("fake", third)


async def test_a_holder_past_its_lease_is_dropped(
    redis_prefix: str, make_link: Callable[..., RedisLink]
) -> None:
    slots = RedisSlots(make_link(prefix=redis_prefix), 2, lease_seconds=0.6)
    assert await slots.acquire("fake", wait_until=time.monotonic()) is not None  # never released (a crash)
    await asyncio.sleep(0.35)
    assert await slots.acquire("fake", wait_until=time.monotonic()) is not None  # 0.35 s later
    assert await slots.acquire("fake", wait_until=time.monotonic()) is None  # both held

    await asyncio.sleep(0.3)  # the first holder is over 0.65 s old, past its lease; the second ~0.3 s

    assert await slots.acquire("fake", wait_until=time.monotonic()) is not None
    assert await slots.acquire("fake", wait_until=time.monotonic()) is None  # the second one still counts


async def test_an_expired_lease_frees_the_only_slot(
    redis_prefix: str, make_link: Callable[..., RedisLink]
) -> None:
    slots = RedisSlots(make_link(prefix=redis_prefix), 1, lease_seconds=0.2)
    assert await slots.acquire("fake", wait_until=time.monotonic()) is not None
    assert await slots.acquire("fake", wait_until=time.monotonic()) is None

    await asyncio.sleep(0.3)

    assert await slots.acquire("fake", wait_until=time.monotonic()) is not None


async def test_redis_slots_fall_back_to_memory_when_redis_is_down(
    make_link: Callable[..., RedisLink],
) -> None:
    link = make_link(DEAD_REDIS)
    slots = RedisSlots(link, 2, lease_seconds=30)
    fake = SlowProvider(delay=0.05)
    limited = LimitedProvider(fake, slots, wait_seconds=5)

    results = await _burst([limited], 6)

    assert all(isinstance(result, ChatResult) for result in results), results
    assert fake.max_in_flight == 2
    assert not link.is_up
    assert slots.fallback.in_use("fake") == 0

    fake.delay = 0.3
    short = LimitedProvider(fake, slots, wait_seconds=0.05)
    outcomes = await _burst([short], 4)
    assert sum(isinstance(outcome, ProviderBusy) for outcome in outcomes) == 2
    assert fake.max_in_flight == 2


# --- through build_chain, against the stand-in ---------------------------------------------------------


@pytest.mark.parametrize(("concurrency", "serialised"), [(1, True), (2, False)])
def test_the_chain_serialises_calls_past_ai_provider_concurrency(
    standin: ThreadedStandin, concurrency: int, serialised: bool
) -> None:
    latency = 0.4
    standin.script([{"delay": latency, "times": 2}])
    settings = load_settings(
        _env_file=None,
        external_ai_provider="deepseek",
        external_ai_api_key="sk-test-key-for-the-standin",
        external_ai_base_url=standin.url,
        ai_timeout_seconds=10,
        ai_cache_ttl_seconds=0,
        ai_provider_concurrency=concurrency,
        ai_concurrency_wait_seconds=5,
    )
    chain = build_chain(settings)
    assert chain is not None

    def request(text: str) -> ChatRequest:
        return ChatRequest(messages=(Message(role="user", content=text),), thinking=False, max_tokens=20)

    async def scenario() -> tuple[list[ChatResult], float]:
        try:
            started = time.monotonic()
            results = await asyncio.gather(
                chain.provider.complete(request("first question"), deadline=_deadline()),
                chain.provider.complete(request("second question"), deadline=_deadline()),
            )
            return list(results), time.monotonic() - started
        finally:
            for backend in chain.backends:
                await backend.aclose()

    results, elapsed = asyncio.run(scenario())

    assert all(result.text for result in results)
    assert len(standin.requests()) == 2
    if serialised:
        assert elapsed >= 2 * latency
    else:
        assert elapsed < 2 * latency
