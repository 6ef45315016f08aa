"""The stand-in's embeddings routes over real HTTP: vendor shapes, usage, refusals, scripted faults."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from jobfirst_ai.llm.standin import ThreadedStandin
from jobfirst_ai.llm.standin.embeddings_wire import features, pseudo_embedding
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]  # fixtures, imported for pytest


def _post(server: ThreadedStandin, path: str, body: Any) -> httpx.Response:
    return httpx.post(server.url + path, json=body, timeout=5)


def test_features_are_words_and_han_bigrams() -> None:
    assert features("C++ 与 Python, 数据分析") == ["c++", "python", "与", "数据", "据分", "分析"]


def test_pseudo_embeddings_are_deterministic_unit_vectors() -> None:
    vector = pseudo_embedding("Kubernetes 运维", 64)

    assert vector == pseudo_embedding("kubernetes 运维", 64)
    assert len(vector) == 64
    assert math.isclose(sum(value * value for value in vector), 1.0)
    assert math.isclose(sum(value * value for value in pseudo_embedding("")), 1.0)


@pytest.mark.parametrize("path", ["/v1/embeddings", "/openai/v1/embeddings", "/v1beta/openai/embeddings"])
def test_openai_shape_with_usage(standin: ThreadedStandin, path: str) -> None:
    reply = _post(standin, path, {"model": "text-embedding-3-small", "input": "hello world", "dimensions": 8})

    payload = reply.json()
    assert reply.status_code == 200 and payload["object"] == "list"
    assert payload["data"] == [
        {"object": "embedding", "index": 0, "embedding": pseudo_embedding("hello world", 8)}
    ]
    assert payload["usage"]["prompt_tokens"] == payload["usage"]["total_tokens"] > 0


def test_ollama_shape_with_counters(standin: ThreadedStandin) -> None:
    reply = _post(standin, "/api/embed", {"model": "embeddinggemma", "input": ["a", "b"]})

    payload = reply.json()
    assert reply.status_code == 200 and payload["model"] == "embeddinggemma"
    assert len(payload["embeddings"]) == 2 and payload["prompt_eval_count"] > 0


def test_ollama_refuses_a_model_that_is_not_installed(standin: ThreadedStandin) -> None:
    reply = _post(standin, "/api/embed", {"model": "nomic-embed-text", "input": "a"})

    assert reply.status_code == 404 and reply.json() == {"error": "model 'nomic-embed-text' not found"}


@pytest.mark.parametrize("value", [[], [1, 2, 3], None])
def test_input_that_is_not_text_is_refused(standin: ThreadedStandin, value: Any) -> None:
    reply = _post(standin, "/v1/embeddings", {"model": "text-embedding-3-small", "input": value})

    assert reply.status_code == 400 and "$.input" in reply.json()["error"]["message"]


def test_scripted_failures_use_the_vendor_envelope_and_retry_after(standin: ThreadedStandin) -> None:
    standin.script([{"error": "rate_limit", "retry_after": 2}])

    reply = _post(standin, "/v1beta/openai/embeddings", {"model": "gemini-embedding-001", "input": "a"})

    assert reply.status_code == 429 and reply.headers["retry-after"] == "2"
    assert reply.json()[0]["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert _post(standin, "/v1beta/openai/embeddings", {"model": "m", "input": "a"}).status_code == 200


def test_a_configured_key_is_checked(standin: ThreadedStandin) -> None:
    standin.configure(api_key="sk-right")

    reply = _post(standin, "/v1/embeddings", {"model": "text-embedding-3-small", "input": "a"})

    assert reply.status_code == 401
