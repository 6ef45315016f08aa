"""Each provider and the composed chain against the stand-in server over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import time

import pytest
from pydantic import BaseModel

from jobfirst_ai.config import Settings, load_settings
from jobfirst_ai.errors import CircuitOpen, InsufficientBalance, ProviderTimeout
from jobfirst_ai.llm.router import Chain, build_chain
from jobfirst_ai.llm.standin import ThreadedStandin
from jobfirst_ai.llm.structured import complete_structured
from jobfirst_ai.llm.types import ChatRequest, Message
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

QUESTION = ChatRequest(messages=(Message(role="user", content="Say hello"),), thinking=False, max_tokens=50)


class City(BaseModel):
    city: str


CITY = ChatRequest(
    messages=(
        Message(role="system", content='Return JSON: {"city": "..."}'),
        Message(role="user", content="I flew into Lisbon yesterday."),
    ),
    thinking=False,
)


def _settings(server: ThreadedStandin, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "external_ai_provider": "deepseek",
        "external_ai_api_key": "sk-test-key-for-the-standin",
        "external_ai_base_url": server.url,
        "ai_timeout_seconds": 5,
        "ai_breaker_cooldown_seconds": 0.3,
    }
    values.update(overrides)
    return load_settings(_env_file=None, **values)


def _run(chain: Chain, work: object) -> object:
    async def scenario() -> object:
        try:
            return await work(chain.provider)  # type: ignore[operator]
        finally:
            for backend in chain.backends:
                await backend.aclose()

    return asyncio.run(scenario())


def _chain(server: ThreadedStandin, **overrides: object) -> Chain:
    chain = build_chain(_settings(server, **overrides))
    assert chain is not None
    return chain


VENDORS = [
    ({"external_ai_provider": "openai", "external_ai_model": "gpt-5.4-nano", "base": "/openai/v1"}, "openai"),
    ({"external_ai_provider": "gemini", "base": "/v1beta/openai/"}, "gemini"),
    ({"external_ai_provider": "ollama", "ollama_model": "qwen3:8b"}, "ollama"),
]


def _vendor_chain(server: ThreadedStandin, overrides: dict[str, object], provider: str) -> Chain:
    """A one-provider chain for `provider`, pointed at its route on the stand-in."""
    server.configure(known_models_only=False)
    settings = dict(overrides)
    base = settings.pop("base", "")
    if provider == "ollama":
        settings["ollama_host"] = server.url
    else:
        settings["external_ai_base_url"] = server.url + str(base)
    return _chain(server, **settings)


def _complete(request: ChatRequest = QUESTION, timeout: float = 5):  # type: ignore[no-untyped-def]
    return lambda provider: provider.complete(request, deadline=time.monotonic() + timeout)


def test_deepseek_json_answer_with_cache_fields_and_thinking_off(standin: ThreadedStandin) -> None:
    result = _run(_chain(standin), _complete())

    assert result.provider == "deepseek" and result.text  # type: ignore[attr-defined]
    usage = result.usage  # type: ignore[attr-defined]
    assert usage.prompt_tokens == usage.cache_hit_tokens + usage.cache_miss_tokens > 0
    body = standin.requests()[-1].body
    assert isinstance(body, dict) and body["thinking"] == {"type": "disabled"}
    assert standin.requests()[-1].headers["authorization"] == "Bearer sk-test-key-for-the-standin"


def test_deepseek_stream_ends_with_usage(standin: ThreadedStandin) -> None:
    async def stream(provider):  # type: ignore[no-untyped-def]
        return [chunk async for chunk in provider.stream(QUESTION, deadline=time.monotonic() + 5)]

    chunks = _run(_chain(standin), stream)

    assert "".join(chunk.text for chunk in chunks)  # type: ignore[attr-defined]
    assert chunks[-1].finish_reason == "stop" and chunks[-1].usage.total_tokens > 0  # type: ignore[index]


@pytest.mark.parametrize(("overrides", "provider"), VENDORS)
def test_each_vendor_answers_over_its_own_protocol(
    standin: ThreadedStandin, overrides: dict[str, object], provider: str
) -> None:
    result = _run(_vendor_chain(standin, overrides, provider), _complete())

    assert result.provider == provider  # type: ignore[attr-defined]
    assert result.text and result.usage.total_tokens > 0  # type: ignore[attr-defined]


def test_402_is_reported_and_never_retried(standin: ThreadedStandin) -> None:
    standin.script([{"error": "balance"}])

    with pytest.raises(InsufficientBalance, match="Insufficient Balance"):
        _run(_chain(standin), _complete())
    assert len(standin.requests()) == 1


def test_429_is_retried_after_the_retry_after_delay(standin: ThreadedStandin) -> None:
    standin.script([{"error": "rate_limit", "retry_after": 0.3}])
    started = time.monotonic()

    result = _run(_chain(standin), _complete())

    assert time.monotonic() - started >= 0.3
    assert result.attempts == 2  # type: ignore[attr-defined]


def test_the_breaker_opens_fails_fast_then_probes_and_closes(standin: ThreadedStandin) -> None:
    standin.script([{"error": "overloaded", "times": 2}])
    chain = _chain(standin, ai_retry_attempts=1, ai_breaker_failures=2)

    async def scenario(provider):  # type: ignore[no-untyped-def]
        outcomes = []
        for _ in range(3):
            try:
                await provider.complete(QUESTION, deadline=time.monotonic() + 5)
                outcomes.append("ok")
            except Exception as error:
                outcomes.append(type(error).__name__)
        seen = len(standin.requests())
        await asyncio.sleep(0.35)
        half_open = chain.breakers[0].state
        await provider.complete(QUESTION, deadline=time.monotonic() + 5)
        return outcomes, seen, half_open, chain.breakers[0].state

    outcomes, seen, half_open, closed = _run(chain, scenario)  # type: ignore[misc]

    assert outcomes == ["ProviderUnavailable", "ProviderUnavailable", CircuitOpen.__name__]
    assert seen == 2  # the third call never reached the server
    assert (half_open, closed) == ("half_open", "closed")


def test_the_chain_falls_back_in_order(standin: ThreadedStandin) -> None:
    standin.configure(ollama_models=["qwen3:8b"])
    standin.script([{"error": "overloaded", "times": 3}])
    chain = _chain(
        standin, ai_fallback_chain="deepseek,ollama", ollama_host=standin.url, ollama_model="qwen3:8b"
    )

    result = _run(chain, _complete())

    assert result.provider == "ollama"  # type: ignore[attr-defined]
    assert [request.path for request in standin.requests()][-1] == "/api/chat"


@pytest.mark.parametrize(("shape", "calls"), [("malformed", 1), ("fenced", 1), ("blank", 2)])
def test_bad_json_is_repaired_or_corrected(standin: ThreadedStandin, shape: str, calls: int) -> None:
    standin.script([{"shape": shape}])

    async def structured(provider):  # type: ignore[no-untyped-def]
        return await complete_structured(provider, CITY, City, deadline=time.monotonic() + 5)

    result = _run(_chain(standin), structured)

    assert isinstance(result.value, City)  # type: ignore[attr-defined]
    assert len(standin.requests()) == calls


def test_a_stalled_stream_is_cut_at_the_deadline(standin: ThreadedStandin) -> None:
    standin.script([{"cut_after": 2, "hang": 3, "cut": "end"}])

    async def stream(provider):  # type: ignore[no-untyped-def]
        return [chunk async for chunk in provider.stream(QUESTION, deadline=time.monotonic() + 0.5)]

    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        _run(_chain(standin), stream)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("error", "expected", "calls"),
    [
        ("auth", "ProviderAuthError", 1),
        ("bad_json", "ProviderBadRequest", 1),
        ("serde", "ProviderBadRequest", 1),
        ("context_overflow", "ProviderBadRequest", 1),
        ("balance", "InsufficientBalance", 1),
        ("rate_limit", "RateLimited", 3),
        ("server", "ProviderUnavailable", 3),
        ("overloaded", "ProviderUnavailable", 3),
    ],
)
def test_each_error_class_maps_and_only_transient_ones_are_retried(
    standin: ThreadedStandin, error: str, expected: str, calls: int
) -> None:
    standin.script([{"error": error, "times": 3}])

    with pytest.raises(Exception) as raised:
        _run(_chain(standin, ai_retry_attempts=3), _complete())

    assert type(raised.value).__name__ == expected
    assert "sk-test-key-for-the-standin" not in str(raised.value)
    assert len(standin.requests()) == calls


@pytest.mark.parametrize(("overrides", "provider"), VENDORS)
def test_each_vendor_streams_with_usage_at_the_end(
    standin: ThreadedStandin, overrides: dict[str, object], provider: str
) -> None:
    async def stream(provider_):  # type: ignore[no-untyped-def]
        return [chunk async for chunk in provider_.stream(QUESTION, deadline=time.monotonic() + 5)]

    chunks = _run(_vendor_chain(standin, overrides, provider), stream)

    assert "".join(chunk.text for chunk in chunks)  # type: ignore[attr-defined]
    assert chunks[-1].finish_reason is not None  # type: ignore[index]
