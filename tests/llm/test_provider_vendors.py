"""Vendor specifics against exact payloads: DeepSeek names and balance, Ollama NDJSON, the registry."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from jobfirst_ai.errors import (
    ConfigError,
    ProviderBadRequest,
    ProviderUnavailable,
)
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.providers.deepseek import DeepSeekProvider, check_model_name
from jobfirst_ai.llm.providers.gemini import GeminiProvider
from jobfirst_ai.llm.providers.ollama import OllamaProvider
from jobfirst_ai.llm.providers.openai import OpenAIProvider
from jobfirst_ai.llm.providers.openai_compat import OpenAICompatibleProvider
from jobfirst_ai.llm.providers.registry import PROVIDERS, build_provider
from tests.support.vendor import KEY, OLLAMA_NDJSON, REQUEST, Make, collect, error, far

# --- DeepSeek specifics -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner"])
def test_retired_deepseek_models_are_refused_naming_the_replacement(model: str) -> None:
    with pytest.raises(ConfigError, match="deepseek-flash") as caught:
        check_model_name(model)
    assert "2026-07-24" in caught.value.message
    with pytest.raises(ConfigError):
        DeepSeekProvider(api_key=KEY, model=model)


@pytest.mark.parametrize("model", ["deepseek-flash", "deepseek-v4-pro", "deepseek-v4-flash"])
def test_current_deepseek_models_pass(model: str) -> None:
    check_model_name(model)


async def test_deepseek_balance(make: Make) -> None:
    body = {
        "is_available": True,
        "balance_infos": [
            {
                "currency": "CNY",
                "total_balance": "110.00",
                "granted_balance": "10.00",
                "topped_up_balance": "100.00",
            }
        ],
    }
    provider, vendor = make(DeepSeekProvider, httpx.Response(200, json=body))

    balances = await provider.balance()

    assert str(vendor.requests[0].url) == "https://api.deepseek.com/user/balance"
    assert vendor.requests[0].method == "GET"
    assert [(b.currency, str(b.total_balance), str(b.granted_balance)) for b in balances] == [
        ("CNY", "110.00", "10.00")
    ]


# --- Ollama -------------------------------------------------------------------------------------------


async def test_ollama_ndjson_stream_and_final_metrics(make: Make) -> None:
    provider, vendor = make(OllamaProvider, httpx.Response(200, text=OLLAMA_NDJSON))

    chunks = await collect(provider)

    assert "".join(chunk.text for chunk in chunks) == '{"city": "Lisbon"}'
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (26, 298)
    assert str(vendor.requests[0].url) == "http://127.0.0.1:11434/api/chat"
    body = vendor.body
    assert (body["stream"], body["format"], body["think"]) == (True, "json", False)
    assert body["options"] == {"temperature": 0.2, "num_predict": 200}


async def test_ollama_complete_sends_stream_false(make: Make) -> None:
    final = json.loads(OLLAMA_NDJSON.splitlines()[-1])
    final["message"]["content"] = '{"city": "Lisbon"}'
    final["done_reason"] = "length"
    provider, vendor = make(
        OllamaProvider, httpx.Response(200, json=final), base_url="http://localhost:11434/api"
    )

    result = await provider.complete(REQUEST.model_copy(update={"thinking": None}), deadline=far())

    assert (result.text, result.finish_reason, result.usage.completion_tokens) == (
        '{"city": "Lisbon"}',
        "length",
        298,
    )
    assert str(vendor.requests[0].url) == "http://localhost:11434/api/chat"
    assert vendor.body["stream"] is False and "think" not in vendor.body


async def test_ollama_mid_stream_error_line_is_unavailable(make: Make) -> None:
    broken = (
        OLLAMA_NDJSON.splitlines()[0] + '\n{"error": "an error was encountered while running the model"}\n'
    )
    provider, _ = make(OllamaProvider, httpx.Response(200, text=broken))

    with pytest.raises(ProviderUnavailable, match="an error was encountered"):
        await collect(provider)


async def test_ollama_stream_without_done_is_unavailable(make: Make) -> None:
    provider, _ = make(OllamaProvider, httpx.Response(200, text=OLLAMA_NDJSON.splitlines()[0] + "\n"))

    with pytest.raises(ProviderUnavailable, match="done"):
        await collect(provider)


async def test_ollama_unknown_model_is_a_bad_request(make: Make) -> None:
    provider, _ = make(OllamaProvider, error(404, {"error": "model 'llama9' not found"}))

    with pytest.raises(ProviderBadRequest, match="model 'llama9' not found"):
        await provider.complete(REQUEST, deadline=far())


# --- registry -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "model"),
    [
        ("deepseek", DeepSeekProvider, "deepseek-flash"),
        ("openai", OpenAIProvider, "gpt-5.4-nano"),
        ("gemini", GeminiProvider, "gemini-3.5-flash-lite"),
        ("ollama", OllamaProvider, "gemma3:4b"),
    ],
)
async def test_registry_builds_each_vendor_with_its_defaults(name: str, kind: type[Any], model: str) -> None:
    provider = build_provider(name, api_key=KEY)
    try:
        assert type(provider) is kind
        assert (provider.name, provider.model) == (name, model)
        assert isinstance(provider, Provider)
    finally:
        await provider.aclose()


async def test_registry_openai_compatible_takes_base_url_and_model() -> None:
    provider = build_provider("openai_compatible", base_url="http://127.0.0.1:8000/v1", model="qwen3")
    try:
        assert type(provider) is OpenAICompatibleProvider
        assert provider.model == "qwen3"
    finally:
        await provider.aclose()


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("nonesuch", {"api_key": KEY}),
        ("deepseek", {}),
        ("openai", {"api_key": ""}),
        ("openai_compatible", {"model": "qwen3"}),
    ],
)
def test_registry_refuses_bad_configuration(name: str, options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        build_provider(name, **options)


def test_registry_lists_every_configurable_provider() -> None:
    assert set(PROVIDERS) == {"deepseek", "openai", "gemini", "ollama", "openai_compatible"}
