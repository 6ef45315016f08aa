"""RedisCache: the response cache shared by every instance on one Redis, with a per-process fallback.

Each answer is one Redis string, `<REDIS_KEY_PREFIX>cache:v<KEY_VERSION>:<cache_key>`, holding the
ChatResult as compact JSON and set with a millisecond expiry (`SET … PX`). The size is bounded by the TTL
and by the operator's `maxmemory` policy (`volatile-lru` or `allkeys-lru` evicts cache entries first
when memory runs out); nothing is tracked client-side, so this process holds no per-entry state.

Redis down (`RedisDown` from the link, see `redis_link.py`): reads and writes go to the in-process
`fallback` MemoryCache, so an outage degrades to per-process caching rather than to no caching, and no
request fails because of it. A stored value that does not parse as a ChatResult is a miss and is deleted.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jobfirst_ai.llm.cache import DEFAULT_TTL_SECONDS, KEY_VERSION, MemoryCache
from jobfirst_ai.llm.types import ChatResult
from jobfirst_ai.redis_link import RedisDown, RedisLink

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisCache", "RedisCacheStats"]


@dataclass(frozen=True)
class RedisCacheStats:
    """Counters of a RedisCache, for metrics: Redis hits and misses, operations served by the fallback
    while Redis was down, and stored values dropped because they did not parse."""

    hits: int
    misses: int
    fallbacks: int
    corrupt: int


class RedisCache:
    """A ResponseCache on Redis; `fallback` answers while Redis is down."""

    def __init__(
        self, link: RedisLink, *, ttl_seconds: float = DEFAULT_TTL_SECONDS, fallback: MemoryCache
    ) -> None:
        self.link = link
        self.ttl_seconds = ttl_seconds
        self.fallback = fallback
        self._hits = self._misses = self._fallbacks = self._corrupt = 0

    async def get(self, key: str) -> ChatResult | None:
        """The answer stored under `key`, or None when absent, expired or unreadable."""
        redis_key = self._redis_key(key)

        async def read(client: Redis) -> bytes | str | None:
            value: bytes | str | None = await client.get(redis_key)
            return value

        try:
            raw = await self.link.run(read)
        except RedisDown:
            self._fallbacks += 1
            return await self.fallback.get(key)
        result = None if raw is None else await self._parse(redis_key, raw)
        if result is None:
            self._misses += 1
            return None
        self._hits += 1
        return result

    async def set(self, key: str, result: ChatResult, *, ttl_seconds: float | None = None) -> None:
        """Store `result` for `ttl_seconds` (the cache's own TTL when None; <= 0 stores nothing)."""
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        if ttl <= 0:
            return
        redis_key = self._redis_key(key)
        payload = result.model_dump_json()
        milliseconds = max(1, round(ttl * 1000))

        async def write(client: Redis) -> None:
            await client.set(redis_key, payload, px=milliseconds)

        try:
            await self.link.run(write)
        except RedisDown:
            self._fallbacks += 1
            await self.fallback.set(key, result, ttl_seconds=ttl)

    def stats(self) -> RedisCacheStats:
        """Hits, misses, fallbacks and corrupt values since start."""
        return RedisCacheStats(self._hits, self._misses, self._fallbacks, self._corrupt)

    def _redis_key(self, key: str) -> str:
        return self.link.key("cache", f"v{KEY_VERSION}", key)

    async def _parse(self, redis_key: str, raw: bytes | str) -> ChatResult | None:
        """The stored ChatResult, or None (and the value deleted) when it does not parse."""
        try:
            return ChatResult.model_validate_json(raw)
        except ValueError:  # pydantic's ValidationError, for bad JSON and for a wrong shape alike
            self._corrupt += 1

        async def delete(client: Redis) -> None:
            await client.delete(redis_key)

        with contextlib.suppress(RedisDown):  # down: the TTL removes it in time
            await self.link.run(delete)
        return None
