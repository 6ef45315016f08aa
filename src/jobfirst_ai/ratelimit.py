"""Per-user rate limits: requests per minute (a sliding window) and model tokens per day.

Requests per minute count every POST to the AI endpoints (analysis, optimisation, matching, interview,
chat), whether the engine or a model answers: at most RATE_LIMIT_USER_RPM in any 60 seconds. Tokens per
day read the budget ledger's per-user daily counter (what the user's calls used and have reserved today,
UTC), so both limits see the same numbers the budgets do. Past either, `TooManyRequests`: 429 with
Retry-After (when the oldest request leaves the window; the next UTC midnight for tokens).

With Redis every instance counts into the same window (a sorted set per user, trimmed and checked in one
Lua script on Redis's clock); while Redis is down each process counts on its own (see `redis_link`).
Users are the opaque tags features send to vendors, never raw ids.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from jobfirst_ai.errors import TooManyRequests
from jobfirst_ai.redis_link import RedisDown, RedisLink

if TYPE_CHECKING:
    from jobfirst_ai.llm.budget import BudgetGuard

__all__ = ["MemoryWindow", "RateLimiter", "RedisWindow", "Window"]

WINDOW_SECONDS = 60.0


class Window(Protocol):
    """A sliding-window counter per key."""

    async def hit(self, key: str, limit: int, window_seconds: float) -> float | None:
        """Count one event if fewer than `limit` happened in the last `window_seconds`; else the seconds
        until one leaves the window (nothing counted then)."""
        ...


class MemoryWindow:
    """Sliding windows of this process; at most `max_keys` users are tracked (least recent dropped)."""

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_keys = max_keys
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    async def hit(self, key: str, limit: int, window_seconds: float) -> float | None:
        """Trim, check, count."""
        now = self._clock()
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
        self._events.move_to_end(key)
        while events and events[0] <= now - window_seconds:
            events.popleft()
        if len(events) >= limit:
            return events[0] + window_seconds - now
        events.append(now)
        return None


# KEYS[1]: the user's window. ARGV: limit, window (ms), a unique member. -1 = counted; else ms to wait.
_HIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return -1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now
"""


class RedisWindow:
    """Sliding windows shared by every instance; `fallback` while Redis is down."""

    def __init__(self, link: RedisLink, fallback: MemoryWindow | None = None) -> None:
        self.link = link
        self.fallback = fallback or MemoryWindow()

    async def hit(self, key: str, limit: int, window_seconds: float) -> float | None:
        """One script: trim, check, count."""
        try:
            wait_ms = await self.link.script(
                _HIT, [self.link.key("rate", key)], [limit, int(window_seconds * 1000), uuid.uuid4().hex]
            )
        except RedisDown:
            return await self.fallback.hit(key, limit, window_seconds)
        wait = int(wait_ms)
        return None if wait < 0 else wait / 1000


class RateLimiter:
    """The per-user limits of the settings (0 = off)."""

    def __init__(
        self,
        *,
        requests_per_minute: int,
        tokens_per_day: int,
        window: Window,
        budget: BudgetGuard | None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_day = tokens_per_day if budget is not None else 0
        self.window = window
        self.budget = budget
        self._now = wall_clock

    @property
    def is_enabled(self) -> bool:
        """Some limit is on."""
        return self.requests_per_minute > 0 or self.tokens_per_day > 0

    async def check(self, user: str) -> None:
        """Count one request of `user`, or raise TooManyRequests."""
        if self.tokens_per_day > 0 and self.budget is not None:
            used = await self.budget.user_day_tokens(user)
            if used >= self.tokens_per_day:
                raise TooManyRequests(
                    f"今日模型用量已达上限（{self.tokens_per_day} tokens），请明天再试 / You have used "
                    f"today's {self.tokens_per_day} model tokens; try again tomorrow (UTC).",
                    retry_after=self._seconds_to_midnight(),
                    code="token_limit_reached",
                )
        if self.requests_per_minute > 0:
            wait = await self.window.hit(user, self.requests_per_minute, WINDOW_SECONDS)
            if wait is not None:
                seconds = max(1, math.ceil(wait))
                raise TooManyRequests(
                    f"请求过于频繁（每分钟最多 {self.requests_per_minute} 次），请 {seconds} 秒后再试 / "
                    f"Too many requests (at most {self.requests_per_minute} a minute); retry in {seconds} s.",
                    retry_after=seconds,
                )

    def _seconds_to_midnight(self) -> float:
        now = self._now().astimezone(UTC)
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return (midnight - now).total_seconds()
