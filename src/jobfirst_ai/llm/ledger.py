"""Integer counters with expiry for budgets: in this process, or in Redis shared by every instance.

A `Ledger` adds charges atomically — all of them, only if no limited counter would pass its limit — and
adds settlements unconditionally. `MemoryLedger` is atomic because it never awaits between check and add;
`RedisLedger` runs one Lua script per operation and falls back to a `MemoryLedger` while Redis is down.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from jobfirst_ai.redis_link import RedisDown, RedisLink

__all__ = ["MONTH_TTL_SECONDS", "Admission", "Charge", "Ledger", "MemoryLedger", "RedisLedger"]

MONTH_TTL_SECONDS = 40 * 86_400
SWEEP_SECONDS = 60.0


@dataclass(frozen=True)
class Charge:
    """An amount to add to one counter; `limit` 0 means the counter is kept but not limited."""

    key: str
    amount: int
    limit: int = 0
    ttl_seconds: int = MONTH_TTL_SECONDS


@dataclass(frozen=True)
class Admission:
    """A conditional add's result: the `values` after it, or (no values) the first counter that refused it."""

    ok: bool
    values: dict[str, int]
    refused: str | None = None


class Ledger(Protocol):
    """Integer counters with expiry, and once-only markers."""

    async def try_add(self, charges: Sequence[Charge]) -> Admission:
        """Add every charge, atomically, if no limited counter would pass its limit; else add none."""
        ...

    async def add(self, charges: Sequence[Charge]) -> dict[str, int]:
        """Add every charge unconditionally (settling and refunding); the new values."""
        ...

    async def values(self, keys: Sequence[str]) -> dict[str, int]:
        """Current values (0 when absent)."""
        ...

    async def seed(self, key: str, value: int, ttl_seconds: int) -> None:
        """Set `key` to `value` unless it already exists."""
        ...

    async def mark_once(self, key: str, ttl_seconds: int) -> bool:
        """True the first time `key` is marked (within its ttl), False afterwards."""
        ...


class MemoryLedger:
    """A Ledger in this process (the default, and the fallback while Redis is down)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._counters: dict[str, tuple[int, float]] = {}
        self._marks: dict[str, float] = {}
        self._next_sweep = 0.0

    async def try_add(self, charges: Sequence[Charge]) -> Admission:
        """Check then add, with no await in between: atomic on the event loop."""
        self._expire()
        for charge in charges:
            current = self._value(charge.key)
            if charge.limit > 0 and charge.amount > 0 and current + charge.amount > charge.limit:
                return Admission(False, {}, charge.key)
        return Admission(True, self._add(charges))

    async def add(self, charges: Sequence[Charge]) -> dict[str, int]:
        """Add unconditionally."""
        self._expire()
        return self._add(charges)

    async def values(self, keys: Sequence[str]) -> dict[str, int]:
        """Current values."""
        self._expire()
        return {key: self._value(key) for key in keys}

    async def seed(self, key: str, value: int, ttl_seconds: int) -> None:
        """Set unless present."""
        self._value(key)  # drops the key if it expired
        if key not in self._counters:
            self._counters[key] = (value, self._clock() + ttl_seconds)

    async def mark_once(self, key: str, ttl_seconds: int) -> bool:
        """First mark wins."""
        now = self._clock()
        if self._marks.get(key, 0.0) > now:
            return False
        self._marks[key] = now + ttl_seconds
        return True

    def _value(self, key: str) -> int:
        entry = self._counters.get(key)
        if entry is not None and entry[1] <= self._clock():  # expired since the last sweep
            del self._counters[key]
            return 0
        return entry[0] if entry else 0

    def _add(self, charges: Sequence[Charge]) -> dict[str, int]:
        now = self._clock()
        for charge in charges:
            value, expires = self._counters.get(charge.key, (0, now + charge.ttl_seconds))
            if expires <= now:
                value, expires = 0, now + charge.ttl_seconds
            self._counters[charge.key] = (value + charge.amount, expires)
        return {charge.key: self._counters[charge.key][0] for charge in charges}

    def _expire(self) -> None:
        """Drop expired counters and marks, at most once a minute: a scan of every counter per call cost
        milliseconds with 100,000 of them (per-user counters live for days)."""
        now = self._clock()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        for key in [key for key, (_, expires) in self._counters.items() if expires <= now]:
            del self._counters[key]
        for key in [key for key, expires in self._marks.items() if expires <= now]:
            del self._marks[key]


# KEYS: counters; ARGV: per key (amount, limit, ttl). All or nothing; returns {1, values...} or {0, index}.
_TRY_ADD = """
for i = 1, #KEYS do
  local amount = tonumber(ARGV[3 * i - 2])
  local limit = tonumber(ARGV[3 * i - 1])
  if limit > 0 and amount > 0 then
    local current = tonumber(redis.call('GET', KEYS[i]) or '0')
    if current + amount > limit then return {0, i} end
  end
end
local out = {1}
for i = 1, #KEYS do
  out[#out + 1] = redis.call('INCRBY', KEYS[i], ARGV[3 * i - 2])
  if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ARGV[3 * i]) end
end
return out
"""

_ADD = """
local out = {}
for i = 1, #KEYS do
  out[i] = redis.call('INCRBY', KEYS[i], ARGV[2 * i - 1])
  if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i]) end
end
return out
"""


class RedisLedger:
    """A Ledger in Redis, shared by every instance; the in-process `fallback` while Redis is down.

    Keys carry the `{budget}` hash tag so one script can touch them all on a Redis Cluster too. Seeds go
    to both stores, so the fallback starts from the usage table's figures rather than from zero.
    """

    def __init__(self, link: RedisLink, fallback: MemoryLedger | None = None) -> None:
        self.link = link
        self.fallback = fallback or MemoryLedger()

    def _key(self, key: str) -> str:
        return self.link.key("{budget}", key)

    async def try_add(self, charges: Sequence[Charge]) -> Admission:
        """One script: check every limited counter, then add to all."""
        args: list[int] = []
        for charge in charges:
            args += [charge.amount, charge.limit, charge.ttl_seconds]
        try:
            reply = await self.link.script(_TRY_ADD, [self._key(c.key) for c in charges], args)
        except RedisDown:
            return await self.fallback.try_add(charges)
        if int(reply[0]) == 0:
            return Admission(False, {}, charges[int(reply[1]) - 1].key)
        return Admission(True, {c.key: int(v) for c, v in zip(charges, reply[1:], strict=True)})

    async def add(self, charges: Sequence[Charge]) -> dict[str, int]:
        """One script: add to all."""
        args: list[int] = []
        for charge in charges:
            args += [charge.amount, charge.ttl_seconds]
        try:
            reply = await self.link.script(_ADD, [self._key(c.key) for c in charges], args)
        except RedisDown:
            return await self.fallback.add(charges)
        return {c.key: int(v) for c, v in zip(charges, reply, strict=True)}

    async def values(self, keys: Sequence[str]) -> dict[str, int]:
        """MGET."""
        if not keys:
            return {}
        try:
            reply = await self.link.run(lambda client: client.mget([self._key(key) for key in keys]))
        except RedisDown:
            return await self.fallback.values(keys)
        return {key: int(value or 0) for key, value in zip(keys, reply, strict=True)}

    async def seed(self, key: str, value: int, ttl_seconds: int) -> None:
        """SET NX EX, and the same in the fallback."""
        await self.fallback.seed(key, value, ttl_seconds)
        with contextlib.suppress(RedisDown):
            await self.link.run(lambda client: client.set(self._key(key), value, nx=True, ex=ttl_seconds))

    async def mark_once(self, key: str, ttl_seconds: int) -> bool:
        """SET NX: one instance wins."""
        try:
            won = await self.link.run(lambda client: client.set(self._key(key), 1, nx=True, ex=ttl_seconds))
        except RedisDown:
            return await self.fallback.mark_once(key, ttl_seconds)
        return bool(won)
