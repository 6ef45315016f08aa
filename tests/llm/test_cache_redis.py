"""RedisCache on the real Redis: round trips, TTL, corrupt values, sharing across instances, outages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from jobfirst_ai.llm.cache import KEY_VERSION, CachingProvider, MemoryCache, cache_key
from jobfirst_ai.llm.cache_redis import RedisCache, RedisCacheStats
from jobfirst_ai.llm.router import build_chain
from jobfirst_ai.llm.testing import ScriptedProvider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message, Usage
from jobfirst_ai.redis_link import RedisLink, connect_redis
from tests.conftest import SettingsFactory
from tests.support.redis import REDIS_URL

UNUSED_PORT_URL = "redis://127.0.0.1:6390/0"
ANSWER = ChatResult(
    text="你好，世界！候选人熟悉 Python 与 Redis。",
    provider="deepseek",
    model="deepseek-chat",
    usage=Usage(prompt_tokens=12, completion_tokens=9, cache_hit_tokens=4, cache_miss_tokens=8),
    latency_ms=321.5,
    attempts=2,
)
ASK = ChatRequest(messages=(Message(role="user", content="总结这份简历"),), user="user-a")
KEY = "0" * 64


@pytest.fixture
async def link(redis_prefix: str) -> AsyncIterator[RedisLink]:
    """A link to the test Redis under this test's own prefix."""
    opened = connect_redis(REDIS_URL, prefix=redis_prefix)
    yield opened
    await opened.aclose()


@pytest.fixture
async def dead_link(redis_prefix: str) -> AsyncIterator[RedisLink]:
    """A link to a port where nothing listens."""
    opened = connect_redis(UNUSED_PORT_URL, prefix=redis_prefix)
    yield opened
    await opened.aclose()


def _cache(link: RedisLink, ttl_seconds: float = 60) -> RedisCache:
    return RedisCache(link, ttl_seconds=ttl_seconds, fallback=MemoryCache(max_entries=8, ttl_seconds=60))


def _stored_key(link: RedisLink, key: str = KEY) -> str:
    return link.key("cache", f"v{KEY_VERSION}", key)


def _deadline() -> float:
    return time.monotonic() + 5


async def test_an_answer_comes_back_whole_chinese_text_included(link: RedisLink) -> None:
    cache = _cache(link)

    await cache.set(KEY, ANSWER)

    assert await cache.get(KEY) == ANSWER
    assert cache.stats() == RedisCacheStats(hits=1, misses=0, fallbacks=0, corrupt=0)


async def test_the_value_is_compact_json_under_the_prefixed_versioned_key(link: RedisLink) -> None:
    await _cache(link).set(KEY, ANSWER)

    raw = await link.client.get(_stored_key(link))

    assert raw == ANSWER.model_dump_json().encode("utf-8")
    assert _stored_key(link).startswith(link.prefix + "cache:v")


async def test_an_absent_key_is_a_miss(link: RedisLink) -> None:
    cache = _cache(link)

    assert await cache.get(KEY) is None
    assert cache.stats().misses == 1


async def test_an_entry_expires_after_its_ttl(link: RedisLink) -> None:
    cache = _cache(link)
    await cache.set(KEY, ANSWER, ttl_seconds=0.2)
    assert 0 < await link.client.pttl(_stored_key(link)) <= 200
    assert await cache.get(KEY) == ANSWER

    deadline = time.monotonic() + 2
    while await cache.get(KEY) is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)

    assert await cache.get(KEY) is None


async def test_the_cache_ttl_applies_when_none_is_given(link: RedisLink) -> None:
    await _cache(link, ttl_seconds=30).set(KEY, ANSWER)

    assert 29_000 < await link.client.pttl(_stored_key(link)) <= 30_000


@pytest.mark.parametrize("ttl", [0, -1])
async def test_a_ttl_of_zero_or_less_stores_nothing(link: RedisLink, ttl: float) -> None:
    cache = _cache(link)

    await cache.set(KEY, ANSWER, ttl_seconds=ttl)

    assert await link.client.exists(_stored_key(link)) == 0
    assert await cache.fallback.get(KEY) is None


@pytest.mark.parametrize("raw", [b"not json", b'{"text": "no provider"}', b"\xff\xfe", b"[]"])
async def test_a_corrupt_value_is_a_miss_and_is_deleted(link: RedisLink, raw: bytes) -> None:
    cache = _cache(link)
    await link.client.set(_stored_key(link), raw)

    assert await cache.get(KEY) is None
    assert await link.client.exists(_stored_key(link)) == 0
    assert cache.stats() == RedisCacheStats(hits=0, misses=1, fallbacks=0, corrupt=1)


async def test_two_instances_share_entries(link: RedisLink, redis_prefix: str) -> None:
    other = connect_redis(REDIS_URL, prefix=redis_prefix)  # a second process, in effect
    try:
        await _cache(link).set(KEY, ANSWER)

        assert await _cache(other).get(KEY) == ANSWER
    finally:
        await other.aclose()


async def test_different_prefixes_do_not_share_entries(link: RedisLink, redis_prefix: str) -> None:
    other = connect_redis(REDIS_URL, prefix=redis_prefix + "other:")
    try:
        await _cache(link).set(KEY, ANSWER)

        assert await _cache(other).get(KEY) is None
    finally:
        await other.aclose()


async def test_two_caching_providers_on_one_redis_make_one_upstream_call(link: RedisLink) -> None:
    first_inner = ScriptedProvider(["回答一次"])
    second_inner = ScriptedProvider()  # raises ScriptExhausted if it is ever asked
    first = CachingProvider(first_inner, _cache(link), ttl_seconds=60)
    second = CachingProvider(second_inner, _cache(link), ttl_seconds=60)

    answered = await first.complete(ASK, deadline=_deadline())
    shared = await second.complete(ASK, deadline=_deadline())

    assert (answered.text, shared.text) == ("回答一次", "回答一次")
    assert (len(first_inner.requests), len(second_inner.requests)) == (1, 0)
    assert (shared.attempts, shared.usage) == (0, Usage())


async def test_redis_down_falls_back_to_the_process_cache(dead_link: RedisLink) -> None:
    cache = _cache(dead_link)

    await cache.set(KEY, ANSWER)

    assert await cache.get(KEY) == ANSWER
    assert await cache.fallback.get(KEY) == ANSWER
    assert cache.stats().fallbacks == 2
    assert not dead_link.is_up


async def test_redis_down_still_caches_within_the_process(dead_link: RedisLink) -> None:
    inner = ScriptedProvider(["只调用一次"])
    provider = CachingProvider(inner, _cache(dead_link), ttl_seconds=60)

    answers = [await provider.complete(ASK, deadline=_deadline()) for _ in range(2)]

    assert [answer.text for answer in answers] == ["只调用一次", "只调用一次"]
    assert len(inner.requests) == 1
    assert provider.hits == 1


async def test_the_cache_key_reaches_redis_unchanged(link: RedisLink) -> None:
    provider = CachingProvider(ScriptedProvider(["ok"]), _cache(link), ttl_seconds=60)

    await provider.complete(ASK, deadline=_deadline())

    key = cache_key("scripted", "scripted-model", ASK)
    assert await link.client.exists(_stored_key(link, key)) == 1


def test_build_chain_with_a_redis_link_caches_in_redis(
    make_settings: SettingsFactory, link: RedisLink
) -> None:
    settings = make_settings(
        external_ai_provider="deepseek", external_ai_api_key="sk-test", ai_cache_max_entries=7
    )

    chain = build_chain(settings, redis=link)

    assert chain is not None and isinstance(chain.provider, CachingProvider)
    cache = chain.provider.cache
    assert isinstance(cache, RedisCache) and cache.link is link
    assert cache.ttl_seconds == settings.ai_cache_ttl_seconds
    assert isinstance(cache.fallback, MemoryCache) and cache.fallback.max_entries == 7


def test_build_chain_without_a_redis_link_caches_in_memory(make_settings: SettingsFactory) -> None:
    settings = make_settings(external_ai_provider="deepseek", external_ai_api_key="sk-test")

    chain = build_chain(settings)

    assert chain is not None and isinstance(chain.provider, CachingProvider)
    assert isinstance(chain.provider.cache, MemoryCache)
