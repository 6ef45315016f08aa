"""Response cache: stable keys over every output-affecting field, TTL, LRU bound, single flight, no errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest

from jobfirst_ai.errors import ProviderTimeout, ProviderUnavailable
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.cache import (
    UNKEYED_FIELDS,
    CachingProvider,
    MemoryCache,
    cache_key,
    is_cacheable,
)
from jobfirst_ai.llm.testing import FakeClock, Reply, ScriptedProvider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message

ASK = ChatRequest(
    messages=(Message(role="system", content="be brief"), Message(role="user", content="hi")),
    temperature=0.2,
    max_tokens=100,
    json_mode=False,
    thinking=False,
    user="user-a",
    feature="chat",
)
DOWN = ProviderUnavailable("503", provider="scripted")

# Each output-affecting ChatRequest field with a changed value (messages three ways).
CHANGES: dict[str, dict[str, Any]] = {
    "messages-content": {"messages": (ASK.messages[0], Message(role="user", content="hello"))},
    "messages-role": {"messages": (Message(role="user", content="be brief"), ASK.messages[1])},
    "messages-order": {"messages": (ASK.messages[1], ASK.messages[0])},
    "messages-extra": {"messages": (*ASK.messages, Message(role="assistant", content="hi"))},
    "model": {"model": "other-model"},
    "temperature": {"temperature": 0.3},
    "temperature-unset": {"temperature": None},
    "max_tokens": {"max_tokens": 101},
    "json_mode": {"json_mode": True},
    "thinking": {"thinking": True},
    "thinking-unset": {"thinking": None},
    "user": {"user": "user-b"},
    "user-shared": {"user": None},
}
LABELS: dict[str, dict[str, Any]] = {"feature": {"feature": "resume"}}


def _key(request: ChatRequest, provider: str = "deepseek", model: str = "deepseek-chat") -> str:
    return cache_key(provider, request.model or model, request)


def _cached(
    replies: list[Reply], clock: FakeClock, *, max_entries: int = 16
) -> tuple[CachingProvider, ScriptedProvider, MemoryCache]:
    inner = ScriptedProvider(replies, clock=clock)
    cache = MemoryCache(max_entries=max_entries, ttl_seconds=3600, clock=clock.now)
    return CachingProvider(inner, cache, ttl_seconds=3600, clock=clock.now), inner, cache


def _gate(inner: ScriptedProvider) -> asyncio.Event:
    """Hold every upstream call of `inner` until the returned event is set."""
    release = asyncio.Event()
    scripted = inner.complete

    async def gated(request: ChatRequest, *, deadline: float) -> ChatResult:
        await release.wait()
        return await scripted(request, deadline=deadline)

    inner.complete = gated  # type: ignore[method-assign]
    return release


def test_every_request_field_is_either_keyed_or_declared_a_label() -> None:
    decided = {name.split("-")[0] for name in CHANGES} | set(LABELS)

    assert decided == set(ChatRequest.model_fields)
    assert set(LABELS) == UNKEYED_FIELDS


def test_the_key_is_a_sha256_hex_digest_that_repeats() -> None:
    key = _key(ASK)

    assert len(key) == 64 and int(key, 16) >= 0
    assert _key(ASK.model_copy()) == key


def test_the_key_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = (
        "from jobfirst_ai.llm.types import ChatRequest\n"
        "from jobfirst_ai.llm.cache import cache_key\n"
        "import sys\n"
        "request = ChatRequest.model_validate_json(sys.stdin.read())\n"
        "print(cache_key('deepseek', 'deepseek-chat', request))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    output = subprocess.run(
        [sys.executable, "-c", code],
        input=ASK.model_dump_json(),
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )

    assert output.stdout.strip() == _key(ASK)


@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_every_output_affecting_field_changes_the_key(change: dict[str, Any]) -> None:
    assert _key(ASK.model_copy(update=change)) != _key(ASK)


@pytest.mark.parametrize("change", LABELS.values(), ids=list(LABELS))
def test_label_fields_do_not_change_the_key(change: dict[str, Any]) -> None:
    assert _key(ASK.model_copy(update=change)) == _key(ASK)


def test_the_provider_changes_the_key() -> None:
    assert _key(ASK, provider="openai") != _key(ASK)


def test_the_configured_model_changes_the_key() -> None:
    assert _key(ASK, model="deepseek-reasoner") != _key(ASK)


def test_a_model_override_equal_to_the_default_shares_the_key() -> None:
    assert _key(ASK.model_copy(update={"model": "deepseek-chat"})) == _key(ASK)


async def test_a_repeat_within_the_ttl_is_served_from_the_cache() -> None:
    clock = FakeClock()
    provider, inner, _ = _cached(["hello"], clock)

    first = await provider.complete(ASK, deadline=clock.now() + 60)
    clock.advance(3599)
    second = await provider.complete(ASK, deadline=clock.now() + 60)

    assert second.text == first.text == "hello"
    assert len(inner.requests) == 1
    assert provider.hits == 1


async def test_a_hit_reports_no_attempts_latency_or_usage() -> None:
    clock = FakeClock()
    provider, _, _ = _cached(["hello"], clock)
    await provider.complete(ASK, deadline=clock.now() + 60)

    hit = await provider.complete(ASK, deadline=clock.now() + 60)

    assert (hit.attempts, hit.latency_ms, hit.usage.total_tokens) == (0, 0.0, 0)


async def test_another_user_is_not_served_the_first_users_answer() -> None:
    clock = FakeClock()
    provider, inner, _ = _cached(["for a", "for b"], clock)

    await provider.complete(ASK, deadline=clock.now() + 60)
    other = await provider.complete(ASK.model_copy(update={"user": "user-b"}), deadline=clock.now() + 60)

    assert other.text == "for b"
    assert len(inner.requests) == 2


async def test_an_entry_expires_after_the_ttl() -> None:
    clock = FakeClock()
    provider, inner, cache = _cached(["old", "new"], clock)

    await provider.complete(ASK, deadline=clock.now() + 60)
    clock.advance(3600)
    fresh = await provider.complete(ASK, deadline=clock.now() + 60)

    assert fresh.text == "new"
    assert len(inner.requests) == 2
    assert cache.stats().expirations == 1


async def test_the_least_recently_used_entry_is_evicted_past_the_bound() -> None:
    clock = FakeClock()
    cache = MemoryCache(max_entries=2, clock=clock.now)
    answer = ChatResult(text="x", provider="p", model="m")
    await cache.set("a", answer)
    await cache.set("b", answer)
    await cache.get("a")

    await cache.set("c", answer)

    assert await cache.get("b") is None
    assert await cache.get("a") is not None and await cache.get("c") is not None
    assert cache.stats().evictions == 1 and cache.stats().size == 2


async def test_cache_stats_count_hits_and_misses() -> None:
    cache = MemoryCache()
    await cache.set("a", ChatResult(text="x", provider="p", model="m"))

    await cache.get("a")
    await cache.get("b")

    assert (cache.stats().hits, cache.stats().misses) == (1, 1)


async def test_concurrent_identical_calls_make_one_upstream_call() -> None:
    clock = FakeClock()
    provider, inner, _ = _cached(["shared"], clock)
    release = _gate(inner)
    calls = [asyncio.create_task(provider.complete(ASK, deadline=clock.now() + 60)) for _ in range(10)]
    await _until(lambda: len(provider._in_flight) == 1)
    release.set()

    answers = await asyncio.gather(*calls)

    assert {answer.text for answer in answers} == {"shared"}
    assert len(inner.requests) == 1 and provider.upstream_calls == 1


async def test_concurrent_callers_all_get_the_upstream_error_and_nothing_is_stored() -> None:
    clock = FakeClock()
    provider, inner, cache = _cached([DOWN, "recovered"], clock)
    release = _gate(inner)
    calls = [asyncio.create_task(provider.complete(ASK, deadline=clock.now() + 60)) for _ in range(5)]
    await _until(lambda: len(provider._in_flight) == 1)
    release.set()

    outcomes = await asyncio.gather(*calls, return_exceptions=True)

    assert all(outcome is DOWN for outcome in outcomes)
    assert len(inner.requests) == 1 and cache.stats().size == 0


async def test_a_waiter_stops_at_its_own_deadline() -> None:
    clock = FakeClock()
    provider, inner, _ = _cached(["late"], clock)
    release = _gate(inner)
    leader = asyncio.create_task(provider.complete(ASK, deadline=clock.now() + 60))
    await _until(lambda: len(provider._in_flight) == 1)

    with pytest.raises(ProviderTimeout):
        await provider.complete(ASK, deadline=clock.now())
    release.set()
    assert (await leader).text == "late"


async def test_a_cancelled_leader_lets_a_waiter_call_upstream_itself() -> None:
    release = asyncio.Event()
    clock = FakeClock()
    provider, inner, _ = _cached(["answer"], clock)

    async def gated(request: ChatRequest, *, deadline: float) -> ChatResult:
        if not release.is_set():
            await asyncio.Event().wait()  # the first (leader) call hangs until cancelled
        return await ScriptedProvider.complete(inner, request, deadline=deadline)

    inner.complete = gated  # type: ignore[method-assign]
    leader = asyncio.create_task(provider.complete(ASK, deadline=clock.now() + 60))
    await _until(lambda: len(provider._in_flight) == 1)
    waiter = asyncio.create_task(provider.complete(ASK, deadline=clock.now() + 60))
    await asyncio.sleep(0)
    release.set()
    leader.cancel()

    assert (await waiter).text == "answer"
    assert provider.upstream_calls == 2


async def test_an_error_is_not_cached() -> None:
    clock = FakeClock()
    provider, inner, _ = _cached([DOWN, "recovered"], clock)

    with pytest.raises(ProviderUnavailable):
        await provider.complete(ASK, deadline=clock.now() + 60)
    answer = await provider.complete(ASK, deadline=clock.now() + 60)

    assert answer.text == "recovered"
    assert len(inner.requests) == 2


@pytest.mark.parametrize(
    ("request_", "result"),
    [
        (ASK, ChatResult(text="  ", provider="p", model="m")),
        (ASK, ChatResult(text="cut", provider="p", model="m", finish_reason="length")),
        (ASK, ChatResult(text="no", provider="p", model="m", finish_reason="content_filter")),
        (ASK.model_copy(update={"json_mode": True}), ChatResult(text="{bad", provider="p", model="m")),
    ],
    ids=["empty", "truncated", "filtered", "json-mode-not-json"],
)
async def test_incomplete_answers_are_not_cached(request_: ChatRequest, result: ChatResult) -> None:
    clock = FakeClock()
    provider, _, _ = _cached([result, "again"], clock)

    await provider.complete(request_, deadline=clock.now() + 60)
    second = await provider.complete(request_, deadline=clock.now() + 60)

    assert second.text == "again"
    assert not is_cacheable(request_, result)


async def test_json_answers_in_json_mode_are_cached() -> None:
    clock = FakeClock()
    request = ASK.model_copy(update={"json_mode": True})
    provider, inner, _ = _cached(['{"ok": true}'], clock)

    await provider.complete(request, deadline=clock.now() + 60)
    await provider.complete(request, deadline=clock.now() + 60)

    assert len(inner.requests) == 1


async def test_streams_pass_through_uncached() -> None:
    clock = FakeClock()
    provider, inner, _ = _cached(["one", "two"], clock)

    texts = ["".join([c.text async for c in provider.stream(ASK, deadline=clock.now() + 60)]) for _ in "ab"]

    assert texts == ["one", "two"]
    assert len(inner.requests) == 2


async def test_the_wrapper_mirrors_the_name_and_closes_the_inner_provider() -> None:
    clock = FakeClock()
    provider, inner, _ = _cached([], clock)

    await provider.aclose()

    assert isinstance(provider, Provider)
    assert (provider.name, provider.model, inner.is_closed) == (inner.name, inner.model, True)


async def test_a_zero_ttl_stores_nothing() -> None:
    cache = MemoryCache()

    await cache.set("a", ChatResult(text="x", provider="p", model="m"), ttl_seconds=0)

    assert await cache.get("a") is None


async def _until(condition: Any, timeout: float = 2.0) -> None:
    """Poll (yielding to the loop) until `condition()` holds, failing after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0)
