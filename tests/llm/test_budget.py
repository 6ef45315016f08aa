"""Budgets: reserve before, settle after, refund on failure; concurrent calls cannot overspend beyond what
they reserved; a warning fires once; limits in tokens and in CNY, global and per user; memory and Redis."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from jobfirst_ai.errors import ProviderUnavailable
from jobfirst_ai.llm.budget import (
    BudgetedProvider,
    BudgetExceeded,
    BudgetGuard,
    BudgetLimits,
    Charge,
    Ledger,
    MemoryLedger,
    RedisLedger,
    reserve_tokens,
)
from jobfirst_ai.llm.metering import estimate_tokens
from jobfirst_ai.llm.pricing import load_price_table
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message, StreamChunk, Usage
from jobfirst_ai.redis_link import connect_redis
from tests.support.redis import REDIS_URL

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 11:00 in Beijing: DeepSeek peak hours
PRICES = load_price_table()


class FakeModel:
    """Answers after `delay` with `usage`; fails when `error` is set."""

    name = "deepseek"
    model = "deepseek-flash"

    def __init__(self, usage: Usage, *, delay: float = 0.0, error: Exception | None = None) -> None:
        self.usage = usage
        self.delay = delay
        self.error = error
        self.calls = 0

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return ChatResult(text="{}", provider=self.name, model=self.model, usage=self.usage)

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        self.calls += 1
        yield StreamChunk(text="你好")
        if self.error is not None:
            raise self.error
        yield StreamChunk(text="!", usage=self.usage, finish_reason="stop")

    async def aclose(self) -> None:
        return None


def request(
    text: str = "analyse this resume", *, user: str | None = "u1", max_tokens: int = 100
) -> ChatRequest:
    return ChatRequest(messages=(Message(role="user", content=text),), max_tokens=max_tokens, user=user)


def guard(limits: BudgetLimits, ledger: Ledger | None = None, **kwargs: object) -> BudgetGuard:
    return BudgetGuard(
        limits,
        ledger or MemoryLedger(),
        PRICES,
        [("deepseek", "deepseek-flash")],
        wall_clock=lambda: NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def usage(prompt: int, completion: int) -> Usage:
    return Usage(prompt_tokens=prompt, cache_miss_tokens=prompt, completion_tokens=completion)


@pytest.fixture(params=["memory", "redis"])
async def any_ledger(request: pytest.FixtureRequest) -> AsyncIterator[Ledger]:
    """Each ledger: this process's, and the real Redis under a prefix of the test's own."""
    if request.param == "memory":
        yield MemoryLedger()
        return
    ledger = RedisLedger(connect_redis(REDIS_URL, prefix=request.getfixturevalue("redis_prefix")))
    yield ledger
    await ledger.link.aclose()


def test_reservation_over_estimates_the_prompt_in_english_and_chinese() -> None:
    for text in (
        "Senior Python engineer, 8 years of FastAPI and PostgreSQL. " * 20,
        "高级后端工程师，负责支付系统。" * 40,
    ):
        ask = request(text, max_tokens=500)
        assert reserve_tokens(ask) >= estimate_tokens(text) + 500
        assert reserve_tokens(ask) < 2 * estimate_tokens(text) + 600


async def test_memory_ledger_adds_all_or_nothing() -> None:
    ledger = MemoryLedger()
    ok = await ledger.try_add([Charge("a", 5, 10), Charge("b", 5, 6)])
    assert ok.ok and ok.values == {"a": 5, "b": 5}
    refused = await ledger.try_add([Charge("a", 5, 10), Charge("b", 5, 6)])
    assert not refused.ok and refused.refused == "b"
    assert await ledger.values(["a", "b"]) == {"a": 5, "b": 5}  # `a` untouched by the refused add


async def test_settle_replaces_the_reservation_by_the_reported_usage() -> None:
    budget = guard(BudgetLimits(monthly_tokens=100_000, user_daily_tokens=50_000))
    provider = BudgetedProvider(FakeModel(usage(30, 12)), budget)
    await provider.complete(request(), deadline=time.monotonic() + 5)
    lines = {(line.scope, line.period, line.unit): line for line in await budget.lines("u1")}
    assert lines["global", "month", "tokens"].used == 42
    assert lines["user", "day", "tokens"].used == 42
    assert lines["global", "month", "tokens"].remaining == 100_000 - 42


async def test_a_failed_call_is_refunded() -> None:
    budget = guard(BudgetLimits(monthly_tokens=100_000))
    provider = BudgetedProvider(FakeModel(usage(30, 12), error=ProviderUnavailable("down")), budget)
    with pytest.raises(ProviderUnavailable):
        await provider.complete(request(), deadline=time.monotonic() + 5)
    assert [line.used for line in await budget.lines(None)] == [0]


async def test_past_the_limit_the_call_is_not_made_and_says_why_in_both_languages() -> None:
    model = FakeModel(usage(30, 12))
    provider = BudgetedProvider(model, guard(BudgetLimits(monthly_tokens=150)))
    with pytest.raises(BudgetExceeded) as refused:
        await provider.complete(request(max_tokens=200), deadline=time.monotonic() + 5)
    assert model.calls == 0
    assert refused.value.code == "budget_exceeded"
    assert "本月" in refused.value.message and "monthly model token budget" in refused.value.message


async def test_one_users_limit_leaves_other_users_alone() -> None:
    budget = guard(BudgetLimits(user_daily_tokens=200))
    provider = BudgetedProvider(FakeModel(usage(100, 50)), budget)
    await provider.complete(request(user="alice"), deadline=time.monotonic() + 5)
    with pytest.raises(BudgetExceeded) as refused:
        await provider.complete(request(user="alice"), deadline=time.monotonic() + 5)
    assert "您的今日" in refused.value.message
    await provider.complete(request(user="bob"), deadline=time.monotonic() + 5)


async def test_money_limit_in_cny_at_deepseek_peak_prices() -> None:
    # deepseek-flash at peak: a reservation of ~110 tokens costs well under a fen; a ¥0.000001 limit refuses.
    with pytest.raises(BudgetExceeded):
        await BudgetedProvider(
            FakeModel(usage(1, 1)), guard(BudgetLimits(monthly_cny=Decimal("0.000001")))
        ).complete(request(), deadline=time.monotonic() + 5)
    budget = guard(BudgetLimits(monthly_cny=Decimal("1")))
    await BudgetedProvider(FakeModel(usage(1000, 1000)), budget).complete(
        request(), deadline=time.monotonic() + 5
    )
    expected = PRICES.cost("deepseek", "deepseek-flash", usage(1000, 1000), at=NOW, currency="CNY")
    assert expected is not None
    [line] = await budget.lines(None)
    assert line.unit == "cny" and line.used == expected.amount.quantize(Decimal("0.000001"))


async def test_100_concurrent_calls_against_a_nearly_spent_budget_stay_within_it(any_ledger: Ledger) -> None:
    ledger = any_ledger
    limit = 10_000
    budget = guard(BudgetLimits(monthly_tokens=limit), ledger, baseline=_baseline(limit - 2_000))
    model = FakeModel(usage(5, 90), delay=0.01)  # uses less than the 115 reserved
    provider = BudgetedProvider(model, budget)
    outcomes = await asyncio.gather(
        *(provider.complete(request(), deadline=time.monotonic() + 10) for _ in range(100)),
        return_exceptions=True,
    )
    admitted = sum(1 for outcome in outcomes if isinstance(outcome, ChatResult))
    refused = sum(1 for outcome in outcomes if isinstance(outcome, BudgetExceeded))
    assert admitted + refused == 100 and refused > 0
    assert admitted == model.calls
    [line] = await budget.lines(None)
    assert line.used == limit - 2_000 + admitted * 95
    assert line.used <= limit


async def test_overspend_is_bounded_by_what_calls_used_beyond_their_reservation(any_ledger: Ledger) -> None:
    ledger = any_ledger
    limit = 5_000
    budget = guard(BudgetLimits(monthly_tokens=limit), ledger)
    reserved = reserve_tokens(request())
    model = FakeModel(usage(40, 400), delay=0.01)  # a vendor that ignored max_tokens=100
    provider = BudgetedProvider(model, budget)
    await asyncio.gather(
        *(provider.complete(request(), deadline=time.monotonic() + 10) for _ in range(100)),
        return_exceptions=True,
    )
    [line] = await budget.lines(None)
    excess_per_call = 440 - reserved
    assert line.used <= limit + model.calls * excess_per_call
    assert model.calls < 100


async def test_the_warning_fires_once(caplog: pytest.LogCaptureFixture) -> None:
    events: list[dict[str, object]] = []

    async def webhook(event: dict[str, object]) -> None:
        events.append(event)

    budget = guard(BudgetLimits(monthly_tokens=1_000, warning_ratio=0.8), webhook=webhook)
    provider = BudgetedProvider(FakeModel(usage(50, 50)), budget)
    with caplog.at_level(logging.WARNING, logger="jobfirst_ai.llm.budget"):
        for _ in range(9):
            await provider.complete(request(max_tokens=10), deadline=time.monotonic() + 5)
    warnings = [record for record in caplog.records if "budget warning" in record.getMessage()]
    assert len(warnings) == 1 and budget.warnings == 1
    assert len(events) == 1
    assert events[0]["scope"] == "global" and events[0]["period"] == "month" and events[0]["unit"] == "tokens"
    assert budget.global_ratios["month", "tokens"] == 0.9


async def test_the_warning_fires_once_across_two_instances_sharing_redis(redis_prefix: str) -> None:
    links = [connect_redis(REDIS_URL, prefix=redis_prefix) for _ in range(2)]
    first, second = (guard(BudgetLimits(monthly_tokens=1_000), RedisLedger(link)) for link in links)
    try:
        for instance in (first, second) * 5:
            await BudgetedProvider(FakeModel(usage(50, 40)), instance).complete(
                request(max_tokens=10), deadline=time.monotonic() + 5
            )
        assert first.warnings + second.warnings == 1
        assert (await first.lines(None))[0].used == 900
    finally:
        for link in links:
            await link.aclose()


async def test_a_restart_remembers_the_months_spend_from_the_usage_table() -> None:
    budget = guard(BudgetLimits(monthly_tokens=1_000_000), baseline=_baseline(999_950))
    with pytest.raises(BudgetExceeded):
        await BudgetedProvider(FakeModel(usage(1, 1)), budget).complete(
            request(), deadline=time.monotonic() + 5
        )


async def test_streams_settle_on_usage_estimate_when_cut_and_refund_when_empty() -> None:
    budget = guard(BudgetLimits(monthly_tokens=100_000))
    provider = BudgetedProvider(FakeModel(usage(30, 12)), budget)
    async for _ in provider.stream(request(), deadline=time.monotonic() + 5):
        pass
    assert (await budget.lines(None))[0].used == 42
    cut = BudgetedProvider(FakeModel(usage(30, 12), error=ProviderUnavailable("cut")), budget)
    with pytest.raises(ProviderUnavailable):
        async for _ in cut.stream(request(), deadline=time.monotonic() + 5):
            pass
    estimated = estimate_tokens("analyse this resume") + estimate_tokens("你好")
    assert (await budget.lines(None))[0].used == 42 + estimated


async def test_redis_down_falls_back_to_this_process() -> None:
    ledger = RedisLedger(connect_redis("redis://127.0.0.1:6390/0"))
    budget = guard(BudgetLimits(monthly_tokens=300), ledger)
    provider = BudgetedProvider(FakeModel(usage(100, 100)), budget)
    try:
        await provider.complete(request(), deadline=time.monotonic() + 5)
        with pytest.raises(BudgetExceeded):
            await provider.complete(request(), deadline=time.monotonic() + 5)
    finally:
        await ledger.link.aclose()


def _baseline(tokens: int):  # type: ignore[no-untyped-def]
    async def baseline(start: datetime, user: str | None) -> tuple[int, int]:
        return (tokens, 0) if user is None else (0, 0)

    return baseline


async def test_memory_counters_expire_lazily_and_a_sweep_drops_them() -> None:
    now = [0.0]
    ledger = MemoryLedger(clock=lambda: now[0])
    await ledger.add([Charge("day", 5, ttl_seconds=10), Charge("month", 7, ttl_seconds=1000)])
    now[0] = 11.0
    assert await ledger.values(["day", "month"]) == {"day": 0, "month": 7}
    assert (await ledger.try_add([Charge("day", 3, limit=5, ttl_seconds=10)])).ok  # a fresh day
    now[0] = 2000.0
    await ledger.values([])  # the sweep runs at most once a minute and drops what expired
    assert ledger._counters == {}
