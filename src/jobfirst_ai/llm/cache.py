"""Response cache: exact-match keys, a bounded in-memory LRU with TTL, and the CachingProvider wrapper."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

from jobfirst_ai.errors import ProviderTimeout
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk, Usage

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "KEY_VERSION",
    "UNKEYED_FIELDS",
    "CacheStats",
    "CachingProvider",
    "MemoryCache",
    "ResponseCache",
    "cache_key",
    "is_cacheable",
]

DEFAULT_TTL_SECONDS = 3600.0
"""The seed's one hour."""

KEY_VERSION = 1
"""Bumped when the key's layout changes, so old shared entries are never misread."""

UNKEYED_FIELDS: frozenset[str] = frozenset({"feature"})
"""ChatRequest fields that cannot change the answer. Everything else is keyed, so a field added to
ChatRequest later changes the key until someone decides here that it cannot change the output."""


def cache_key(provider: str, model: str, request: ChatRequest) -> str:
    """A sha256 hex digest, stable across processes, of everything that can change the answer.

    Field by field (ChatRequest):
    - `messages` (every role and content, in order): keyed.
    - `model`: keyed as the resolved `model` argument (`request.model or provider.model`), so an
      override and the same model configured as default share entries.
    - `temperature`, `max_tokens`, `json_mode`, `thinking`: keyed (None stays distinct from a value:
      None means the provider's own setting, which may differ).
    - `user`: keyed, which scopes entries to one user. A request with `user=None` is user-independent
      and shared by every caller sending the same messages; any request carrying private content must
      set `user` (the resume features send `user_tag(owner)`).
    - `feature`: not keyed; a metering label, never sent to the vendor.
    ChatRequest has no top_p, stop, seed or tools; if added they are keyed by default.
    """
    fields = request.model_dump(mode="json", exclude=set(UNKEYED_FIELDS))
    fields["model"] = model
    payload = {"v": KEY_VERSION, "provider": provider, "request": fields}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_cacheable(request: ChatRequest, result: ChatResult) -> bool:
    """Only complete, non-empty answers are stored: a truncated, filtered or blank answer, or one that
    is not JSON when JSON was asked for, would otherwise be served again for the whole TTL."""
    if not result.text.strip() or result.finish_reason != "stop":
        return False
    return not request.json_mode or _is_json(result.text)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class ResponseCache(Protocol):
    """Where answers are kept. Async so a shared store (Redis) can implement it too."""

    async def get(self, key: str) -> ChatResult | None:
        """The stored answer, or None when absent or expired."""
        ...

    async def set(self, key: str, result: ChatResult, *, ttl_seconds: float | None = None) -> None:
        """Store `result` for `ttl_seconds` (the cache's own TTL when None)."""
        ...


@dataclass(frozen=True)
class CacheStats:
    """Counters of a MemoryCache, for metrics."""

    hits: int
    misses: int
    evictions: int
    expirations: int
    size: int


class MemoryCache:
    """A per-process LRU of at most `max_entries` answers, each kept `ttl_seconds` at most.

    Entries are stored as the immutable ChatResult objects providers return; callers get copies.
    """

    def __init__(
        self,
        max_entries: int = 1024,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("MemoryCache needs max_entries >= 1")
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, ChatResult]] = OrderedDict()
        self._hits = self._misses = self._evictions = self._expirations = 0

    async def get(self, key: str) -> ChatResult | None:
        """The answer under `key` if still fresh; a hit makes it the most recently used."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] <= self._clock():
            del self._entries[key]
            self._expirations += 1
            entry = None
        if entry is None:
            self._misses += 1
            return None
        self._entries.move_to_end(key)
        self._hits += 1
        return entry[1].model_copy()

    async def set(self, key: str, result: ChatResult, *, ttl_seconds: float | None = None) -> None:
        """Store `result`, dropping the least recently used entry when full."""
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        if ttl <= 0:
            return
        self._entries[key] = (self._clock() + ttl, result.model_copy())
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
            self._evictions += 1

    def stats(self) -> CacheStats:
        """Hits, misses, LRU evictions, expirations and the current size."""
        return CacheStats(self._hits, self._misses, self._evictions, self._expirations, len(self._entries))


class CachingProvider:
    """Wraps a Provider: identical requests within the TTL are answered from `cache`.

    Concurrent identical requests share one upstream call (single flight); if it fails, every waiter
    gets the error and nothing is stored. A hit (or a shared in-flight answer) comes back with
    `attempts=0`, `latency_ms=0` and zero usage: it cost no call, so metering and usage records must
    not count it again. `stream` is not cached: it passes straight through.
    """

    def __init__(
        self,
        inner: Provider,
        cache: ResponseCache,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.cache = cache
        self.ttl_seconds = ttl_seconds
        self.hits = 0
        self.upstream_calls = 0
        self._clock = clock
        self._in_flight: dict[str, asyncio.Future[ChatResult]] = {}

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The cached answer, a concurrent identical call's answer, or the inner provider's."""
        key = cache_key(self.name, request.model or self.model, request)
        while True:
            cached = await self.cache.get(key)
            if cached is not None:
                return self._as_hit(cached)
            pending = self._in_flight.get(key)
            if pending is None:
                return await self._lead(key, request, deadline)
            await self._wait(pending, deadline)
            # A cancelled leader answered nobody: loop and ask again (possibly leading this time).
            if not pending.cancelled():
                return self._as_hit(pending.result())

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The inner stream, uncached (streams are the interactive chat path; replaying is not wanted)."""
        async for chunk in self.inner.stream(request, deadline=deadline):
            yield chunk

    async def aclose(self) -> None:
        """Close the inner provider."""
        await self.inner.aclose()

    async def _lead(self, key: str, request: ChatRequest, deadline: float) -> ChatResult:
        """Make the one upstream call for `key`, publishing its outcome to the waiters."""
        future: asyncio.Future[ChatResult] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        self.upstream_calls += 1
        try:
            result = await self.inner.complete(request, deadline=deadline)
            if is_cacheable(request, result):
                await self.cache.set(key, result, ttl_seconds=self.ttl_seconds)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # marks it retrieved: no "never retrieved" log when nobody waited
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._in_flight[key]

    async def _wait(self, pending: asyncio.Future[ChatResult], deadline: float) -> None:
        """Wait for another call's outcome, but never past this call's own deadline."""
        remaining = deadline - self._clock()
        if remaining > 0:
            await asyncio.wait({pending}, timeout=remaining)
        if not pending.done():
            raise ProviderTimeout("the deadline passed waiting for an identical call", provider=self.name)

    def _as_hit(self, result: ChatResult) -> ChatResult:
        self.hits += 1
        return result.model_copy(update={"attempts": 0, "latency_ms": 0.0, "usage": Usage()})
