"""FallbackProvider: order, who answered, the chain of reasons, the deadline, and streams."""

from __future__ import annotations

import pytest

from jobfirst_ai.errors import (
    InsufficientBalance,
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from jobfirst_ai.llm.breaker import BreakerProvider, CircuitBreaker
from jobfirst_ai.llm.fallback import FallbackProvider
from jobfirst_ai.llm.retry import RetryingProvider
from jobfirst_ai.llm.testing import FakeClock, ScriptedProvider, ScriptedReply
from jobfirst_ai.llm.types import ChatRequest, Message

ASK = ChatRequest(messages=(Message(role="user", content="hi"),))


async def test_the_first_provider_answers_when_it_can() -> None:
    first, second = ScriptedProvider(["from a"], name="a"), ScriptedProvider(name="b")

    result = await FallbackProvider([first, second]).complete(ASK, deadline=float("inf"))

    assert (result.text, result.provider, result.attempts) == ("from a", "a", 1)
    assert second.requests == []


@pytest.mark.parametrize(
    "error",
    [
        ProviderUnavailable("503", provider="a"),
        RateLimited("429", provider="a"),
        ProviderBadRequest("400", provider="a"),
        ProviderAuthError("401", provider="a"),
        InsufficientBalance("402", provider="a"),
    ],
    ids=lambda error: type(error).__name__,
)
async def test_any_provider_error_falls_back_to_the_next(error: ProviderError) -> None:
    first = ScriptedProvider([error], name="a")
    second = ScriptedProvider(["from b"], name="b")

    result = await FallbackProvider([first, second]).complete(ASK, deadline=float("inf"))

    assert (result.text, result.provider, result.attempts) == ("from b", "b", 2)
    assert first.requests == second.requests == [ASK]


async def test_all_failing_raises_the_last_error_with_the_chain() -> None:
    first_error = ProviderUnavailable("503 down", provider="a")
    last_error = RateLimited("429 busy", provider="b")
    providers = [ScriptedProvider([first_error], name="a"), ScriptedProvider([last_error], name="b")]

    with pytest.raises(RateLimited) as raised:
        await FallbackProvider(providers).complete(ASK, deadline=float("inf"))

    assert raised.value is last_error
    assert raised.value.__cause__ is first_error
    assert raised.value.__notes__ == [
        "fallback chain: a: ProviderUnavailable: 503 down; b: RateLimited: 429 busy"
    ]


async def test_no_fallback_once_the_deadline_has_passed() -> None:
    clock = FakeClock()

    def slow_failure(request: ChatRequest) -> ProviderUnavailable:
        clock.advance(10)
        return ProviderUnavailable("503", provider="a")

    first = ScriptedProvider([slow_failure], name="a", clock=clock)
    second = ScriptedProvider(["too late"], name="b", clock=clock)
    fallback = FallbackProvider([first, second], clock=clock.now)

    with pytest.raises(ProviderUnavailable):
        await fallback.complete(ASK, deadline=clock.now() + 5)
    assert second.requests == []


async def test_bugs_are_not_hidden_by_falling_back() -> None:
    second = ScriptedProvider(["unused"], name="b")
    fallback = FallbackProvider([ScriptedProvider([ValueError("bug")], name="a"), second])

    with pytest.raises(ValueError, match="bug"):
        await fallback.complete(ASK, deadline=float("inf"))
    assert second.requests == []


async def test_stream_falls_back_before_the_first_chunk() -> None:
    first = ScriptedProvider([ProviderUnavailable("503")], name="a")
    fallback = FallbackProvider([first, ScriptedProvider(["streamed by b"], name="b")])

    chunks = [chunk async for chunk in fallback.stream(ASK, deadline=float("inf"))]

    assert "".join(chunk.text for chunk in chunks) == "streamed by b"
    assert chunks[-1].finish_reason == "stop"


async def test_stream_does_not_fall_back_after_a_chunk() -> None:
    first = ScriptedProvider([ScriptedReply("partial answer", break_after=1)], name="a")
    second = ScriptedProvider(["unused"], name="b")
    received: list[str] = []

    with pytest.raises(ProviderUnavailable):
        async for chunk in FallbackProvider([first, second]).stream(ASK, deadline=float("inf")):
            received.append(chunk.text)

    assert received == ["partial "]
    assert second.requests == []


async def test_the_wrappers_compose() -> None:
    clock = FakeClock()
    primary = ScriptedProvider([ProviderUnavailable("503")] * 6, name="primary", clock=clock)
    backup = ScriptedProvider(default="backup answer", name="backup", clock=clock)
    chain = [
        BreakerProvider(
            RetryingProvider(inner, attempts=2, clock=clock.now, sleep=clock.sleep),
            CircuitBreaker(name=inner.name, failure_threshold=2, clock=clock.now),
        )
        for inner in (primary, backup)
    ]
    fallback = FallbackProvider(chain, clock=clock.now)

    answers = [await fallback.complete(ASK, deadline=clock.now() + 60) for _ in range(3)]

    assert {answer.provider for answer in answers} == {"backup"}
    assert chain[0].breaker.state == "open"
    assert len(primary.requests) == 4  # two calls of two attempts each, then the breaker rests it


async def test_aclose_closes_every_provider() -> None:
    providers = [ScriptedProvider(name="a"), ScriptedProvider(name="b")]

    await FallbackProvider(providers).aclose()

    assert all(provider.is_closed for provider in providers)


def test_needs_a_provider() -> None:
    with pytest.raises(ValueError, match="at least one"):
        FallbackProvider([])
