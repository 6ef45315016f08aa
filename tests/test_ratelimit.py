"""Per-user rate limits: the sliding windows (in-process and on Redis) and the limiter's two limits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from jobfirst_ai.errors import TooManyRequests
from jobfirst_ai.llm.budget import BudgetGuard, BudgetLimits
from jobfirst_ai.llm.ledger import Charge, MemoryLedger
from jobfirst_ai.llm.pricing import load_price_table
from jobfirst_ai.ratelimit import MemoryWindow, RateLimiter, RedisWindow
from jobfirst_ai.redis_link import RedisLink
from tests.support.api import has_han

DEAD_REDIS = "redis://127.0.0.1:6390/0"


class Clock:
    """A monotonic clock moved by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _is_bilingual(message: str) -> bool:
    return has_han(message) and any("a" <= char.lower() <= "z" for char in message)


# --- MemoryWindow --------------------------------------------------------------------------------------


async def test_memory_window_allows_the_limit_then_says_when_the_oldest_leaves() -> None:
    clock = Clock()
    window = MemoryWindow(clock=clock)
    for _ in range(3):
        assert await window.hit("alice", 3, 60) is None
        clock.now += 10  # hits at 1000, 1010, 1020

    assert await window.hit("alice", 3, 60) == pytest.approx(30.0)  # now 1030; the first leaves at 1060
    clock.now += 29.5
    assert await window.hit("alice", 3, 60) == pytest.approx(0.5)
    clock.now += 0.5  # 1060: the first hit is out of the window
    assert await window.hit("alice", 3, 60) is None
    assert await window.hit("alice", 3, 60) == pytest.approx(10.0)  # the second leaves at 1070


async def test_a_refused_hit_is_not_counted() -> None:
    clock = Clock()
    window = MemoryWindow(clock=clock)
    assert await window.hit("alice", 1, 60) is None
    for _ in range(5):
        assert await window.hit("alice", 1, 60) is not None
    clock.now += 60
    assert await window.hit("alice", 1, 60) is None


async def test_memory_window_keys_are_independent() -> None:
    window = MemoryWindow(clock=Clock())
    assert await window.hit("alice", 2, 60) is None
    assert await window.hit("alice", 2, 60) is None
    assert await window.hit("alice", 2, 60) is not None

    assert await window.hit("bob", 2, 60) is None
    assert await window.hit("bob", 2, 60) is None
    assert await window.hit("bob", 2, 60) is not None


async def test_memory_window_forgets_the_least_recent_keys_past_max_keys() -> None:
    window = MemoryWindow(max_keys=2, clock=Clock())
    assert await window.hit("alice", 1, 60) is None
    assert await window.hit("bob", 1, 60) is None
    assert await window.hit("alice", 1, 60) is not None  # alice is now the most recent key

    assert await window.hit("carol", 1, 60) is None  # a third key drops bob, the least recent

    assert await window.hit("alice", 1, 60) is not None  # still counted
    assert await window.hit("bob", 1, 60) is None  # forgotten: a fresh window (and carol drops out)
    assert await window.hit("carol", 1, 60) is None


# --- RedisWindow ---------------------------------------------------------------------------------------


async def test_redis_window_allows_the_limit_then_refuses_with_a_wait(
    redis_prefix: str, make_link: Callable[..., RedisLink]
) -> None:
    window = RedisWindow(make_link(prefix=redis_prefix))
    for _ in range(3):
        assert await window.hit("alice", 3, 60) is None

    wait = await window.hit("alice", 3, 60)

    assert wait is not None and 0 < wait <= 60
    assert await window.hit("bob", 3, 60) is None  # another user's window


async def test_two_redis_windows_on_two_links_share_the_count(
    redis_prefix: str, make_link: Callable[..., RedisLink]
) -> None:
    first = RedisWindow(make_link(prefix=redis_prefix))
    second = RedisWindow(make_link(prefix=redis_prefix))
    assert first.link.client is not second.link.client

    outcomes = [await (first if index % 2 == 0 else second).hit("alice", 4, 60) for index in range(6)]

    assert outcomes[:4] == [None] * 4
    assert all(wait is not None and 0 < wait <= 60 for wait in outcomes[4:])
    assert first.link.is_up and second.link.is_up  # counted on Redis, not in each process's fallback


async def test_redis_window_trims_on_redis_clock(
    redis_prefix: str, make_link: Callable[..., RedisLink]
) -> None:
    window = RedisWindow(make_link(prefix=redis_prefix))
    assert await window.hit("alice", 1, 0.3) is None
    wait = await window.hit("alice", 1, 0.3)
    assert wait is not None and 0 < wait <= 0.3

    await asyncio.sleep(wait + 0.05)
    assert await window.hit("alice", 1, 0.3) is None


async def test_redis_window_falls_back_to_memory_when_redis_is_down(
    make_link: Callable[..., RedisLink],
) -> None:
    link = make_link(DEAD_REDIS)
    window = RedisWindow(link)
    for _ in range(2):
        assert await window.hit("alice", 2, 60) is None

    wait = await window.hit("alice", 2, 60)

    assert not link.is_up
    assert wait is not None and 0 < wait <= 60
    assert await window.hit("bob", 2, 60) is None


# --- RateLimiter ---------------------------------------------------------------------------------------


async def test_rate_limiter_refuses_past_the_requests_per_minute_with_a_bilingual_message() -> None:
    limiter = RateLimiter(requests_per_minute=2, tokens_per_day=0, window=MemoryWindow(), budget=None)
    await limiter.check("alice")
    await limiter.check("alice")

    with pytest.raises(TooManyRequests) as refused:
        await limiter.check("alice")

    error = refused.value
    assert (error.status, error.code) == (429, "rate_limited")
    assert 1 <= error.retry_after <= 60 and float(error.retry_after).is_integer()
    assert _is_bilingual(error.message)
    await limiter.check("bob")


def test_rate_limiter_is_off_with_zero_limits() -> None:
    assert not RateLimiter(
        requests_per_minute=0, tokens_per_day=0, window=MemoryWindow(), budget=None
    ).is_enabled
    # a tokens-per-day limit needs the budget ledger; without it that limit is off
    assert not RateLimiter(
        requests_per_minute=0, tokens_per_day=10, window=MemoryWindow(), budget=None
    ).is_enabled
    assert RateLimiter(requests_per_minute=1, tokens_per_day=0, window=MemoryWindow(), budget=None).is_enabled


def _guard(used: dict[str, int], now: datetime) -> BudgetGuard:
    async def baseline(start: datetime, user: str | None) -> tuple[int, int]:
        return (used.get(user or "", 0), 0)

    return BudgetGuard(
        BudgetLimits(track_user_daily_tokens=True),
        MemoryLedger(),
        load_price_table(),
        baseline=baseline,
        wall_clock=lambda: now,
    )


@pytest.mark.parametrize("used", [1_000, 5_000])
async def test_tokens_per_day_refuses_a_user_at_or_over_the_limit_until_utc_midnight(used: int) -> None:
    now = datetime(2026, 3, 14, 23, 0, tzinfo=UTC)
    guard = _guard({"alice": used}, now)
    limiter = RateLimiter(
        requests_per_minute=0,
        tokens_per_day=1_000,
        window=MemoryWindow(),
        budget=guard,
        wall_clock=lambda: now,
    )
    assert limiter.is_enabled

    with pytest.raises(TooManyRequests) as refused:
        await limiter.check("alice")

    error = refused.value
    assert (error.status, error.code) == (429, "token_limit_reached")
    assert error.retry_after == pytest.approx(3600)
    assert _is_bilingual(error.message) and "1000" in error.message
    await limiter.check("bob")  # no usage today


async def test_tokens_per_day_retry_after_is_at_most_a_day() -> None:
    guard = _guard({"alice": 10}, datetime.now(UTC))
    limiter = RateLimiter(requests_per_minute=5, tokens_per_day=10, window=MemoryWindow(), budget=guard)

    with pytest.raises(TooManyRequests) as refused:
        await limiter.check("alice")

    assert 0 < refused.value.retry_after <= 86_400
    await limiter.check("carol")


async def test_tokens_per_day_reads_what_the_ledger_counts_today() -> None:
    now = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    guard = _guard({"alice": 900}, now)
    limiter = RateLimiter(
        requests_per_minute=0,
        tokens_per_day=1_000,
        window=MemoryWindow(),
        budget=guard,
        wall_clock=lambda: now,
    )
    await limiter.check("alice")  # 900 < 1000

    await guard.ledger.add([Charge("day:2026-03-14:user:alice:tokens", 100, 0, 86_400)])  # a call settled

    with pytest.raises(TooManyRequests) as refused:
        await limiter.check("alice")
    assert refused.value.code == "token_limit_reached"
    assert refused.value.retry_after == pytest.approx(12 * 3600)
