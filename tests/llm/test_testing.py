"""ScriptedProvider: queued replies, recorded requests, delays on a fake clock, streaming."""

from __future__ import annotations

import pytest

from jobfirst_ai.errors import ProviderTimeout, ProviderUnavailable, RateLimited
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.testing import FakeClock, ScriptedProvider, ScriptedReply, ScriptExhausted
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message, StreamChunk, Usage


def _ask(text: str = "hello") -> ChatRequest:
    return ChatRequest(messages=(Message(role="user", content=text),))


async def _collect(provider: ScriptedProvider, request: ChatRequest, deadline: float) -> list[StreamChunk]:
    return [chunk async for chunk in provider.stream(request, deadline=deadline)]


def test_is_a_provider() -> None:
    assert isinstance(ScriptedProvider(), Provider)


async def test_text_reply_becomes_a_result_with_estimated_usage() -> None:
    provider = ScriptedProvider(["four score"], name="fake", model="fake-1")

    result = await provider.complete(_ask("12345678"), deadline=float("inf"))

    assert (result.text, result.provider, result.model) == ("four score", "fake", "fake-1")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (2, 3)


async def test_replies_come_in_order_and_requests_are_recorded() -> None:
    given = ChatResult(text="given", provider="x", model="y", usage=Usage(prompt_tokens=7))
    provider = ScriptedProvider(["first", given, lambda request: request.messages[-1].content.upper()])

    texts = [(await provider.complete(_ask(word), deadline=float("inf"))).text for word in ("a", "b", "c")]

    assert texts == ["first", "given", "C"]
    assert [request.messages[-1].content for request in provider.requests] == ["a", "b", "c"]
    assert provider.remaining == 0


async def test_exception_replies_are_raised() -> None:
    provider = ScriptedProvider([RateLimited("slow down", retry_after=2)])

    with pytest.raises(RateLimited):
        await provider.complete(_ask(), deadline=float("inf"))


async def test_running_out_of_script_fails_the_test() -> None:
    provider = ScriptedProvider(["only"])
    await provider.complete(_ask(), deadline=float("inf"))

    with pytest.raises(ScriptExhausted, match="ran out"):
        await provider.complete(_ask(), deadline=float("inf"))
    assert issubclass(ScriptExhausted, AssertionError)


async def test_default_reply_when_the_queue_is_empty() -> None:
    provider = ScriptedProvider(default="again")

    results = [await provider.complete(_ask(), deadline=float("inf")) for _ in range(3)]

    assert [result.text for result in results] == ["again"] * 3


async def test_delay_runs_on_the_injected_clock() -> None:
    clock = FakeClock()
    provider = ScriptedProvider([ScriptedReply("late", delay=2.5)], clock=clock)

    result = await provider.complete(_ask(), deadline=clock.now() + 10)

    assert clock.sleeps == [2.5]
    assert result.latency_ms == 2500


async def test_delay_past_the_deadline_times_out_at_the_deadline() -> None:
    clock = FakeClock()
    provider = ScriptedProvider([ScriptedReply("late", delay=5)], clock=clock)

    with pytest.raises(ProviderTimeout):
        await provider.complete(_ask(), deadline=clock.now() + 1)
    assert clock.sleeps == [1]


async def test_stream_splits_text_and_ends_with_usage() -> None:
    provider = ScriptedProvider(["abcdefghij"], chunk_size=4)

    chunks = await _collect(provider, _ask(), float("inf"))

    assert [chunk.text for chunk in chunks] == ["abcd", "efgh", "ij", ""]
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3


async def test_stream_can_be_cut_after_some_chunks() -> None:
    provider = ScriptedProvider([ScriptedReply("abcdefghij", break_after=1)], chunk_size=4)
    received: list[str] = []

    with pytest.raises(ProviderUnavailable):
        async for chunk in provider.stream(_ask(), deadline=float("inf")):
            received.append(chunk.text)
    assert received == ["abcd"]


async def test_aclose_is_recorded() -> None:
    provider = ScriptedProvider()

    await provider.aclose()

    assert provider.is_closed
