"""How many calls may be in flight to one provider at once (DeepSeek limits concurrency per account and
answers 429 past it): across all instances with Redis, in this process otherwise.

`LimitedProvider` wraps one backend, inside the retry layer: a slot is held for one HTTP attempt (or one
whole stream), never across a backoff sleep. A call that cannot get a slot within AI_CONCURRENCY_WAIT_SECONDS
(or before its deadline) raises `ProviderBusy` — not retried, so the fallback chain moves on and features
degrade to the built-in engine instead of queueing without end.

In Redis a provider's slots are a sorted set of holders scored by the time they took the slot (Redis's own
clock); a holder older than the lease (the AI timeout plus a margin) is dropped, so a crashed instance's
slots come back by themselves. While Redis is down, the in-process semaphore takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from jobfirst_ai.errors import ProviderBusy
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk
from jobfirst_ai.redis_link import RedisDown, RedisLink

__all__ = ["LimitedProvider", "MemorySlots", "ProviderBusy", "RedisSlots", "Slots"]

POLL_SECONDS = (0.005, 0.01, 0.02, 0.05, 0.1)


class Slots(Protocol):
    """A counting semaphore per provider name."""

    async def acquire(self, name: str, *, wait_until: float) -> str | None:
        """A holder token, or None if no slot came free by `wait_until` (monotonic)."""
        ...

    async def release(self, name: str, token: str) -> None:
        """Give the slot back."""
        ...


class MemorySlots:
    """Slots of this process."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    def in_use(self, name: str) -> int:
        """Slots taken now."""
        semaphore = self._semaphores.get(name)
        return 0 if semaphore is None else self.limit - semaphore._value

    async def acquire(self, name: str, *, wait_until: float) -> str | None:
        """Wait for the semaphore until `wait_until`."""
        semaphore = self._semaphores.setdefault(name, asyncio.Semaphore(self.limit))
        if not semaphore.locked():
            await semaphore.acquire()  # free: returns at once
            return "local"
        remaining = wait_until - self._clock()
        if remaining <= 0:
            return None
        try:
            async with asyncio.timeout(remaining):
                await semaphore.acquire()
        except TimeoutError:
            return None
        return "local"

    async def release(self, name: str, token: str) -> None:
        """Release the semaphore."""
        self._semaphores[name].release()


# KEYS[1]: the holders set. ARGV: limit, token, lease (ms). Returns 1 when the slot is taken.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""


class RedisSlots:
    """Slots shared by every instance (see module doc); `fallback` while Redis is down."""

    def __init__(
        self,
        link: RedisLink,
        limit: int,
        *,
        lease_seconds: float,
        fallback: MemorySlots | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link = link
        self.limit = limit
        self.lease_ms = int(lease_seconds * 1000)
        self.fallback = fallback or MemorySlots(limit, clock)
        self._clock = clock

    async def acquire(self, name: str, *, wait_until: float) -> str | None:
        """Poll the shared set (5 ms, growing to 100 ms between tries) until a slot is free."""
        token = uuid.uuid4().hex
        key = self.link.key("slots", name)
        for attempt in itertools.count():
            try:
                taken = await self.link.script(_ACQUIRE, [key], [self.limit, token, self.lease_ms])
            except asyncio.CancelledError:  # the script may have taken the slot: give it back
                await asyncio.shield(self.release(name, token))
                raise
            except RedisDown:
                local = await self.fallback.acquire(name, wait_until=wait_until)
                return None if local is None else "local"
            if int(taken) == 1:
                return token
            pause = POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)]
            if self._clock() + pause > wait_until:
                return None
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # itertools.count() never ends

    async def release(self, name: str, token: str) -> None:
        """ZREM the holder (or release the local semaphore it came from)."""
        if token == "local":
            await self.fallback.release(name, token)
            return
        key = self.link.key("slots", name)
        with contextlib.suppress(RedisDown):  # when down, the lease frees it
            await self.link.run(lambda client: client.zrem(key, token))


class LimitedProvider:
    """Wraps one backend: each call holds one of the provider's slots (see module doc)."""

    def __init__(
        self,
        inner: Provider,
        slots: Slots,
        *,
        wait_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._clock = clock

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The inner answer, within a slot."""
        async with self._slot(deadline):
            return await self.inner.complete(request, deadline=deadline)

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The inner stream, holding a slot until it ends."""
        async with self._slot(deadline):
            async for chunk in self.inner.stream(request, deadline=deadline):
                yield chunk

    async def aclose(self) -> None:
        """Close the inner provider."""
        await self.inner.aclose()

    @asynccontextmanager
    async def _slot(self, deadline: float) -> AsyncIterator[None]:
        wait_until = min(deadline, self._clock() + self.wait_seconds)
        token = await self.slots.acquire(self.name, wait_until=wait_until)
        if token is None:
            raise ProviderBusy(
                f"{self.name} has every concurrent slot taken; try again shortly", provider=self.name
            )
        try:
            yield
        finally:
            await asyncio.shield(self.slots.release(self.name, token))
