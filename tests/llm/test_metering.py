"""Metering: every call (answers, failures, cache hits, streams) is recorded with tokens, outcome and cost."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from jobfirst_ai.errors import RateLimited
from jobfirst_ai.llm.cache import CachingProvider, MemoryCache
from jobfirst_ai.llm.metering import CallRecord, MeteredProvider, estimate_tokens
from jobfirst_ai.llm.pricing import load_price_table
from jobfirst_ai.llm.router import build_chain
from jobfirst_ai.llm.testing import FakeClock, Reply, ScriptedProvider, ScriptedReply
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message, Usage
from tests.conftest import SettingsFactory

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
ASK = ChatRequest(messages=(Message(role="user", content="hello there"),), user="tag-a", feature="chat")
USAGE = Usage(
    prompt_tokens=1000,
    cache_hit_tokens=600,
    cache_miss_tokens=400,
    completion_tokens=300,
    reasoning_tokens=50,
)
ANSWER = ChatResult(text="hi!", provider="deepseek", model="deepseek-flash", usage=USAGE, attempts=2)


class ListSink:
    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def record(self, call: CallRecord) -> None:
        self.records.append(call)


def _metered(*replies: Reply | ScriptedReply, inner_cache: bool = False) -> tuple[MeteredProvider, ListSink]:
    clock = FakeClock()
    scripted = ScriptedProvider(replies, name="deepseek", model="deepseek-flash", clock=clock)
    inner = CachingProvider(scripted, MemoryCache(), clock=clock.now) if inner_cache else scripted
    sink = ListSink()
    return MeteredProvider(inner, sink, clock=clock.now, wall_clock=lambda: AT), sink


async def test_a_success_is_recorded_with_its_tokens_split_and_its_cost() -> None:
    provider, sink = _metered(ScriptedReply(ANSWER, delay=0.25))

    await provider.complete(ASK, deadline=10_000)

    [call] = sink.records
    assert (call.user, call.feature, call.provider, call.model) == (
        "tag-a",
        "chat",
        "deepseek",
        "deepseek-flash",
    )
    assert (call.prompt_tokens, call.cache_hit_tokens, call.cache_miss_tokens) == (1000, 600, 400)
    assert (call.completion_tokens, call.reasoning_tokens) == (300, 50)
    assert (call.outcome, call.attempts, call.is_cache_hit, call.is_estimated) == ("ok", 2, False, False)
    assert call.latency_ms == pytest.approx(250)
    prices = load_price_table()
    assert call.cost_usd == prices.cost("deepseek", "deepseek-flash", USAGE, at=AT, currency="USD").amount  # type: ignore[union-attr]
    assert call.cost_cny is not None and call.cost_cny > 0
    assert call.at == AT


async def test_an_error_is_recorded_with_its_code_and_re_raised() -> None:
    provider, sink = _metered(RateLimited("429", provider="deepseek"))

    with pytest.raises(RateLimited):
        await provider.complete(ASK, deadline=10_000)

    [call] = sink.records
    assert (call.outcome, call.prompt_tokens, call.cost_usd) == ("provider_rate_limited", 0, Decimal(0))


async def test_a_cache_hit_is_recorded_as_a_hit_with_zero_tokens_and_cost() -> None:
    provider, sink = _metered(ANSWER, inner_cache=True)

    await provider.complete(ASK, deadline=10_000)
    await provider.complete(ASK, deadline=10_000)

    first, hit = sink.records
    assert (first.is_cache_hit, hit.is_cache_hit) == (False, True)
    assert (hit.prompt_tokens, hit.completion_tokens, hit.attempts, hit.cost_usd) == (0, 0, 0, Decimal(0))


async def test_a_stream_is_recorded_from_its_final_usage() -> None:
    provider, sink = _metered(ANSWER)

    text = "".join([chunk.text async for chunk in provider.stream(ASK, deadline=10_000)])

    [call] = sink.records
    assert text == "hi!"
    assert (call.prompt_tokens, call.completion_tokens, call.is_estimated, call.outcome) == (
        1000,
        300,
        False,
        "ok",
    )
    assert call.cost_usd is not None and call.cost_usd > 0


async def test_a_broken_stream_is_estimated_from_its_text_and_flagged() -> None:
    provider, sink = _metered(ScriptedReply("a long answer that is cut", break_after=2))
    received: list[str] = []

    with pytest.raises(Exception, match="cut"):
        async for chunk in provider.stream(ASK, deadline=10_000):
            received.append(chunk.text)

    [call] = sink.records
    assert call.is_estimated and call.outcome == "provider_unavailable"
    assert call.prompt_tokens == estimate_tokens("hello there")
    assert call.completion_tokens == estimate_tokens("".join(received)) > 0


async def test_a_stream_closed_early_is_recorded_as_cancelled_and_estimated() -> None:
    provider, sink = _metered("a long answer nobody waits for")
    stream = provider.stream(ASK, deadline=10_000)

    await anext(stream)
    await stream.aclose()  # type: ignore[attr-defined]

    [call] = sink.records
    assert (call.outcome, call.is_estimated) == ("cancelled", True)


def test_estimates_count_cjk_characters_one_token_each() -> None:
    assert estimate_tokens("你好世界") == 4
    assert estimate_tokens("abcdefgh") == 2


def test_the_chain_is_metered_only_when_a_sink_is_given(make_settings: SettingsFactory) -> None:
    settings = make_settings(external_ai_provider="deepseek", external_ai_api_key="sk-test")

    plain, metered = build_chain(settings), build_chain(settings, sink=ListSink())

    assert plain is not None and not isinstance(plain.provider, MeteredProvider)
    assert metered is not None and isinstance(metered.provider, MeteredProvider)
    assert isinstance(metered.provider.inner, CachingProvider)
