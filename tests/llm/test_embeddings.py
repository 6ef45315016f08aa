"""Embedders against the stand-in over real loopback HTTP: wire shapes, batching, errors, resilience."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from jobfirst_ai.config import Settings, load_settings
from jobfirst_ai.errors import (
    CircuitOpen,
    ConfigError,
    NetworkDisabled,
    ProviderAuthError,
    ProviderBadRequest,
    ProviderTimeout,
    ProviderUnavailable,
)
from jobfirst_ai.llm.embeddings import BatchingEmbedder, Embedder, RetryingEmbedder
from jobfirst_ai.llm.providers.embeddings import (
    GeminiEmbedder,
    OllamaEmbedder,
    OpenAICompatibleEmbedder,
    OpenAIEmbedder,
    decode_base64_vector,
)
from jobfirst_ai.llm.retry import RetryPolicy
from jobfirst_ai.llm.router import build_embedder
from jobfirst_ai.llm.standin import ThreadedStandin
from jobfirst_ai.llm.standin.embeddings_wire import pseudo_embedding
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]  # fixtures, imported for pytest

KEY = "sk-embeddings-test-key"
TEXTS = ["Python backend engineer", "资深 Java 开发工程师", "Kubernetes and Redis on call"]
Make = Callable[..., Any]


def _cosine(left: list[float], right: list[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    return dot / (math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right)))


def _assert_embeds(vectors: list[list[float]], texts: list[str], tolerance: float = 1e-12) -> None:
    """The stand-in's pseudo-embeddings of `texts`, in order (float32 round trips need a tolerance)."""
    expected = [pseudo_embedding(text) for text in texts]
    assert [len(vector) for vector in vectors] == [len(vector) for vector in expected]
    flat = [value for vector in vectors for value in vector]
    assert flat == pytest.approx([value for vector in expected for value in vector], abs=tolerance)


def _deadline(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


def _settings(server: ThreadedStandin, provider: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "match_embeddings_provider": provider,
        "match_embeddings_base_url": server.url + "/openai/v1",
        "openai_api_key": KEY,
        "ai_timeout_seconds": 5,
        "ai_breaker_cooldown_seconds": 0.3,
        **overrides,
    }
    return load_settings(_env_file=None, **values)


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    """Build embedders (backends or wrapped ones) that are closed after the test."""
    created: list[Embedder] = []

    def build(factory: Callable[..., Embedder], *args: Any, **options: Any) -> Embedder:
        embedder = factory(*args, **options)
        created.append(embedder)
        return embedder

    yield build
    for embedder in created:
        await embedder.aclose()


BACKENDS = [
    (OpenAIEmbedder, "/openai/v1", "/openai/v1/embeddings", "text-embedding-3-small"),
    (GeminiEmbedder, "/v1beta/openai/", "/v1beta/openai/embeddings", "gemini-embedding-001"),
    (OllamaEmbedder, "", "/api/embed", "embeddinggemma"),
]


@pytest.mark.parametrize(("kind", "base", "path", "model"), BACKENDS)
async def test_each_backend_returns_one_vector_per_text_in_order(
    standin: ThreadedStandin, make: Make, kind: type[Embedder], base: str, path: str, model: str
) -> None:
    embedder = make(kind, api_key=KEY, base_url=standin.url + base)

    result = await embedder.embed(TEXTS, deadline=_deadline())

    _assert_embeds(result.vectors, TEXTS)
    assert (result.provider, result.model) == (embedder.name, model)
    assert result.usage is not None and result.usage.prompt_tokens > 0
    sent = standin.requests()[-1]
    assert sent.path == path
    assert isinstance(sent.body, dict) and sent.body["input"] == TEXTS and sent.body["model"] == model


async def test_openai_style_calls_ask_for_floats_with_a_bearer_key(
    standin: ThreadedStandin, make: Make
) -> None:
    embedder = make(OpenAICompatibleEmbedder, api_key=KEY, base_url=standin.url + "/v1", model="bge-m3")

    await embedder.embed(["hello"], deadline=_deadline())

    sent = standin.requests()[-1]
    assert isinstance(sent.body, dict) and sent.body["encoding_format"] == "float"
    assert sent.headers["authorization"] == f"Bearer {KEY}"


async def test_base64_vectors_are_decoded_when_the_server_ignores_encoding_format(
    standin: ThreadedStandin, make: Make
) -> None:
    standin.configure(embeddings_base64=True)
    embedder = make(OpenAIEmbedder, api_key=KEY, base_url=standin.url + "/openai/v1")

    result = await embedder.embed(TEXTS, deadline=_deadline())

    _assert_embeds(result.vectors, TEXTS, tolerance=1e-6)


def test_malformed_base64_is_a_vendor_fault() -> None:
    with pytest.raises(ProviderUnavailable, match="base64"):
        decode_base64_vector("AAAAAAA=", "openai")  # five bytes: not whole float32 values


async def test_250_texts_take_three_calls_and_keep_their_order(standin: ThreadedStandin) -> None:
    texts = [f"posting {number} needs skill{number}" for number in range(250)]
    embedder = build_embedder(_settings(standin, "openai"))
    assert embedder is not None

    try:
        result = await embedder.embed(texts, deadline=_deadline())
    finally:
        await embedder.aclose()

    sizes = [len(request.body["input"]) for request in standin.requests()]  # type: ignore[arg-type,index]
    assert sizes == [96, 96, 58]
    _assert_embeds(result.vectors, texts)
    assert result.usage is not None and result.usage.prompt_tokens > 250


async def test_gemini_refuses_over_100_texts_in_one_call_so_batches_stay_under_it(
    standin: ThreadedStandin, make: Make
) -> None:
    embedder = make(GeminiEmbedder, api_key=KEY, base_url=standin.url + "/v1beta/openai")
    texts = [f"text {number}" for number in range(101)]

    with pytest.raises(ProviderBadRequest, match="at most 100"):
        await embedder.embed(texts, deadline=_deadline())
    batched = BatchingEmbedder(embedder, batch_size=96)
    assert len((await batched.embed(texts, deadline=_deadline())).vectors) == 101


async def test_no_texts_make_no_call(standin: ThreadedStandin, make: Make) -> None:
    embedder = make(OllamaEmbedder, base_url=standin.url)

    result = await embedder.embed([], deadline=_deadline())

    assert result.vectors == [] and standin.requests() == []


async def test_a_refused_key_is_not_retried(standin: ThreadedStandin) -> None:
    standin.configure(api_key="sk-the-right-one")
    embedder = build_embedder(_settings(standin, "openai"))
    assert embedder is not None

    try:
        with pytest.raises(ProviderAuthError) as raised:
            await embedder.embed(TEXTS, deadline=_deadline())
    finally:
        await embedder.aclose()

    assert len(standin.requests()) == 1
    assert KEY not in str(raised.value)


async def test_429_is_retried_after_its_retry_after(standin: ThreadedStandin, make: Make) -> None:
    standin.script([{"error": "rate_limit", "retry_after": 0.2}])
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    backend = make(OpenAIEmbedder, api_key=KEY, base_url=standin.url + "/openai/v1")
    embedder = RetryingEmbedder(backend, RetryPolicy(attempts=3, max_delay=0.01, sleep=sleep))

    result = await embedder.embed(TEXTS, deadline=_deadline())

    assert len(result.vectors) == 3
    assert len(waits) == 1 and waits[0] >= 0.2
    assert len(standin.requests()) == 2


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_server_error_then_success_returns_the_vectors(standin: ThreadedStandin, status: int) -> None:
    standin.script([{"status": status}])
    base = standin.url + "/v1beta/openai"
    embedder = build_embedder(
        _settings(standin, "gemini", gemini_api_key=KEY, match_embeddings_base_url=base)
    )
    assert embedder is not None

    try:
        result = await embedder.embed(TEXTS, deadline=_deadline())
    finally:
        await embedder.aclose()

    assert len(result.vectors) == 3
    assert [request.path for request in standin.requests()] == ["/v1beta/openai/embeddings"] * 2


async def test_the_breaker_opens_after_repeated_failures(standin: ThreadedStandin) -> None:
    standin.script([{"error": "overloaded", "times": 2}])
    settings = _settings(standin, "openai", ai_retry_attempts=1, ai_breaker_failures=2)
    embedder = build_embedder(settings)
    assert embedder is not None
    outcomes: list[str] = []

    try:
        for _ in range(3):
            try:
                await embedder.embed(TEXTS, deadline=_deadline())
                outcomes.append("ok")
            except (ProviderUnavailable, CircuitOpen) as error:
                outcomes.append(type(error).__name__)
        seen = len(standin.requests())
        await asyncio.sleep(0.35)
        probe = await embedder.embed(TEXTS, deadline=_deadline())
    finally:
        await embedder.aclose()

    assert outcomes == ["ProviderUnavailable", "ProviderUnavailable", "CircuitOpen"]
    assert seen == 2  # the third call never reached the server
    assert len(probe.vectors) == 3


async def test_the_deadline_is_honoured(standin: ThreadedStandin) -> None:
    standin.script([{"delay": 3}])
    settings = _settings(standin, "ollama", ollama_host=standin.url, match_embeddings_base_url=None)
    embedder = build_embedder(settings)
    assert embedder is not None
    started = time.monotonic()

    try:
        with pytest.raises(ProviderTimeout):
            await embedder.embed(TEXTS, deadline=_deadline(0.4))
    finally:
        await embedder.aclose()

    assert time.monotonic() - started < 1.5


async def test_the_network_switch_refuses_a_real_vendor(make: Make) -> None:
    embedder = make(OpenAIEmbedder, api_key=KEY)

    with pytest.raises(NetworkDisabled, match=r"api\.openai\.com"):
        await embedder.embed(TEXTS, deadline=_deadline())


def test_ollama_defaults_to_its_host_setting_and_embeddinggemma(standin: ThreadedStandin) -> None:
    embedder = build_embedder(load_settings(_env_file=None, match_embeddings_provider="ollama"))

    assert embedder is not None and embedder.model == "embeddinggemma"
    asyncio.run(embedder.aclose())


def test_none_gives_no_embedder() -> None:
    assert build_embedder(load_settings(_env_file=None)) is None


def test_deepseek_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCH_EMBEDDINGS_PROVIDER", "DeepSeek")

    with pytest.raises(ConfigError, match=r"MATCH_EMBEDDINGS_PROVIDER.*DeepSeek has no embeddings endpoint"):
        load_settings(_env_file=None)


def test_a_hosted_provider_without_its_key_stops_start_up() -> None:
    settings = load_settings(_env_file=None, match_embeddings_provider="gemini")

    with pytest.raises(ConfigError, match="GEMINI_API_KEY"):
        build_embedder(settings)


def test_an_openai_compatible_server_needs_a_base_url_and_model() -> None:
    settings = load_settings(_env_file=None, match_embeddings_provider="openai_compatible")

    with pytest.raises(ConfigError, match="MATCH_EMBEDDINGS_BASE_URL"):
        build_embedder(settings)


@pytest.mark.parametrize(
    ("query", "near", "far"),
    [
        (
            "Senior Python backend engineer with PostgreSQL",
            "Backend engineer: Python, FastAPI and PostgreSQL",
            "Registered nurse for the night shift",
        ),
        ("熟悉机器学习和数据分析", "负责机器学习模型与数据分析平台", "餐厅服务员，负责点餐和收银"),
    ],
)
async def test_similar_texts_are_closer_than_unrelated_ones(
    standin: ThreadedStandin, make: Make, query: str, near: str, far: str
) -> None:
    embedder = make(OllamaEmbedder, base_url=standin.url)

    vectors = (await embedder.embed([query, near, far], deadline=_deadline())).vectors

    assert _cosine(vectors[0], vectors[1]) > _cosine(vectors[0], vectors[2]) + 0.2
