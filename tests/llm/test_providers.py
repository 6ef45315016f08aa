"""The HTTP backends against exact vendor payloads (providers.md): requests, streams, errors, deadlines."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from jobfirst_ai.errors import (
    InsufficientBalance,
    NetworkDisabled,
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.providers.deepseek import DeepSeekProvider
from jobfirst_ai.llm.providers.gemini import GeminiProvider
from jobfirst_ai.llm.providers.openai import OpenAIProvider
from jobfirst_ai.llm.types import StreamChunk
from tests.support.vendor import (
    DEEPSEEK_JSON,
    DEEPSEEK_SSE,
    GEMINI_SSE,
    KEY,
    OPENAI_SSE,
    REQUEST,
    Make,
    collect,
    error,
    far,
    sse,
)

# --- complete -----------------------------------------------------------------------------------------


async def test_deepseek_json_after_keep_alive_lines_parses_text_usage_and_finish(make: Make) -> None:
    provider, _ = make(DeepSeekProvider, httpx.Response(200, text="\n\n\n" + json.dumps(DEEPSEEK_JSON)))

    result = await provider.complete(REQUEST, deadline=far())

    assert result.text == '{"city": "Lisbon"}'
    assert (result.provider, result.model, result.finish_reason) == ("deepseek", "deepseek-flash", "stop")
    usage = result.usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (1290, 48)
    assert (usage.cache_hit_tokens, usage.cache_miss_tokens, usage.reasoning_tokens) == (1152, 138, 37)


async def test_deepseek_request_body_and_auth_header(make: Make) -> None:
    provider, vendor = make(DeepSeekProvider, httpx.Response(200, json=DEEPSEEK_JSON))

    await provider.complete(REQUEST, deadline=far())

    sent = vendor.requests[0]
    assert str(sent.url) == "https://api.deepseek.com/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert vendor.body == {
        "model": "deepseek-flash",
        "messages": [
            {"role": "system", "content": "Answer in json."},
            {"role": "user", "content": "Lisbon?"},
        ],
        "stream": False,
        "temperature": 0.2,
        "max_tokens": 200,
        "response_format": {"type": "json_object"},
        "thinking": {"type": "disabled"},
        "user_id": "tenant_42",
    }


@pytest.mark.parametrize(
    ("thinking", "expected"),
    [(False, {"type": "disabled"}), (True, {"type": "enabled"}), (None, "absent")],
)
async def test_deepseek_thinking_field(make: Make, thinking: bool | None, expected: object) -> None:
    provider, vendor = make(DeepSeekProvider, httpx.Response(200, json=DEEPSEEK_JSON))

    await provider.complete(REQUEST.model_copy(update={"thinking": thinking}), deadline=far())

    assert vendor.body.get("thinking", "absent") == expected


async def test_deepseek_user_id_is_made_safe(make: Make) -> None:
    provider, vendor = make(DeepSeekProvider, httpx.Response(200, json=DEEPSEEK_JSON))

    await provider.complete(REQUEST.model_copy(update={"user": "ana@example.com"}), deadline=far())

    assert vendor.body["user_id"] == "ana_example_com"


async def test_blank_json_mode_content_is_returned_with_its_finish_reason(make: Make) -> None:
    blank = json.loads(json.dumps(DEEPSEEK_JSON))
    blank["choices"][0]["message"]["content"] = "   \n  "
    blank["choices"][0]["finish_reason"] = "length"
    provider, _ = make(DeepSeekProvider, httpx.Response(200, json=blank))

    result = await provider.complete(REQUEST, deadline=far())

    assert (result.text, result.finish_reason) == ("   \n  ", "length")


async def test_insufficient_system_resource_maps_to_error(make: Make) -> None:
    payload = json.loads(json.dumps(DEEPSEEK_JSON))
    payload["choices"][0]["finish_reason"] = "insufficient_system_resource"
    provider, _ = make(DeepSeekProvider, httpx.Response(200, json=payload))

    assert (await provider.complete(REQUEST, deadline=far())).finish_reason == "error"


async def test_malformed_success_body_is_unavailable(make: Make) -> None:
    provider, _ = make(DeepSeekProvider, httpx.Response(200, text='{"choices": [{"message": '))

    with pytest.raises(ProviderUnavailable, match="malformed"):
        await provider.complete(REQUEST, deadline=far())


async def test_openai_usage_and_reasoning_model_body(make: Make) -> None:
    payload = {
        "model": "gpt-5.4-nano-2026-03-17",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": 1290,
            "completion_tokens": 48,
            "total_tokens": 1338,
            "prompt_tokens_details": {"cached_tokens": 1152, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 32},
        },
    }
    provider, vendor = make(OpenAIProvider, httpx.Response(200, json=payload))

    result = await provider.complete(REQUEST, deadline=far())

    assert str(vendor.requests[0].url) == "https://api.openai.com/v1/chat/completions"
    assert vendor.body["max_completion_tokens"] == 200
    assert "max_tokens" not in vendor.body and "temperature" not in vendor.body
    assert (vendor.body["reasoning_effort"], vendor.body["user"]) == ("low", "tenant_42")
    assert (result.usage.cache_hit_tokens, result.usage.cache_miss_tokens) == (1152, 138)
    assert (result.usage.reasoning_tokens, result.model) == (32, "gpt-5.4-nano")


async def test_gemini_usage_counts_thinking_as_completion(make: Make) -> None:
    payload = {
        "model": "gemini-3.8-flash",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Lisbon"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 153},
    }
    provider, vendor = make(GeminiProvider, httpx.Response(200, json=payload))

    usage = (await provider.complete(REQUEST, deadline=far())).usage

    assert str(vendor.requests[0].url).endswith("/v1beta/openai/chat/completions")
    assert vendor.body["reasoning_effort"] == "minimal"
    assert (usage.prompt_tokens, usage.completion_tokens, usage.reasoning_tokens) == (7, 146, 143)
    assert usage.total_tokens == 153


# --- streaming ----------------------------------------------------------------------------------------


async def test_deepseek_stream_skips_keep_alive_and_reasoning_and_takes_usage_from_last_chunk(
    make: Make,
) -> None:
    provider, vendor = make(DeepSeekProvider, sse(DEEPSEEK_SSE))

    chunks = await collect(provider)

    assert "".join(chunk.text for chunk in chunks) == "Hello there"
    final = chunks[-1]
    assert final.finish_reason == "stop"
    assert final.usage is not None
    assert (final.usage.prompt_tokens, final.usage.completion_tokens, final.usage.cache_miss_tokens) == (
        17,
        9,
        17,
    )
    assert all(chunk.finish_reason is None for chunk in chunks[:-1])
    assert vendor.body["stream"] is True
    assert vendor.body["stream_options"] == {"include_usage": True}


async def test_openai_stream_takes_usage_from_the_empty_choices_chunk(make: Make) -> None:
    provider, _ = make(OpenAIProvider, sse(OPENAI_SSE))

    chunks = await collect(provider)

    assert "".join(chunk.text for chunk in chunks) == '{"city"'
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.cache_hit_tokens, chunks[-1].usage.reasoning_tokens) == (1152, 32)


async def test_gemini_stream_keeps_the_last_usage_and_tolerates_a_missing_done(make: Make) -> None:
    provider, _ = make(GeminiProvider, sse(GEMINI_SSE))

    chunks = await collect(provider)

    assert "".join(chunk.text for chunk in chunks) == "Lisbon"
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.completion_tokens, chunks[-1].usage.reasoning_tokens) == (146, 143)


async def test_stream_cut_before_done_is_unavailable(make: Make) -> None:
    provider, _ = make(DeepSeekProvider, sse(DEEPSEEK_SSE.replace("data: [DONE]\n\n", "")))

    with pytest.raises(ProviderUnavailable, match=r"\[DONE\]"):
        await collect(provider)


class _DroppedStream(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield DEEPSEEK_SSE[:300].encode()
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


async def test_connection_dropped_mid_stream_is_unavailable(make: Make) -> None:
    provider, _ = make(DeepSeekProvider, httpx.Response(200, stream=_DroppedStream()))

    with pytest.raises(ProviderUnavailable, match="RemoteProtocolError"):
        await collect(provider)


async def test_error_event_mid_stream_is_unavailable(make: Make) -> None:
    body = 'data: {"error": {"message": "An error occurred during streaming", "type": "server_error"}}\n\n'
    provider, _ = make(OpenAIProvider, sse(body))

    with pytest.raises(ProviderUnavailable, match="An error occurred during streaming"):
        await collect(provider)


async def test_stream_error_status_is_mapped_before_any_chunk(make: Make) -> None:
    provider, _ = make(DeepSeekProvider, error(402, {"error": {"message": "Insufficient Balance"}}))

    with pytest.raises(InsufficientBalance, match="Insufficient Balance"):
        await collect(provider)


# --- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ProviderBadRequest),
        (401, ProviderAuthError),
        (402, InsufficientBalance),
        (403, ProviderAuthError),
        (404, ProviderBadRequest),
        (422, ProviderBadRequest),
        (429, RateLimited),
        (500, ProviderUnavailable),
        (503, ProviderUnavailable),
    ],
)
async def test_status_maps_to_exception_class(make: Make, status: int, kind: type[ProviderError]) -> None:
    body = {
        "error": {"message": "vendor says no", "type": "x", "param": None, "code": "invalid_request_error"}
    }
    provider, _ = make(DeepSeekProvider, error(status, body))

    with pytest.raises(kind) as caught:
        await provider.complete(REQUEST, deadline=far())

    assert type(caught.value) is kind
    assert (caught.value.status_code, caught.value.provider) == (status, "deepseek")
    assert "vendor says no" in caught.value.message


async def test_openai_quota_429_is_insufficient_balance(make: Make) -> None:
    body = {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota"}}
    provider, _ = make(OpenAIProvider, error(429, body))

    with pytest.raises(InsufficientBalance):
        await provider.complete(REQUEST, deadline=far())


async def test_plain_text_422_body_becomes_the_message(make: Make) -> None:
    text = "Failed to deserialize the JSON body into the target type: missing field `messages` at line 4"
    provider, _ = make(DeepSeekProvider, error(422, text))

    with pytest.raises(ProviderBadRequest, match="missing field `messages`"):
        await provider.complete(REQUEST, deadline=far())


@pytest.mark.parametrize(
    ("status", "kind"), [(503, ProviderUnavailable), (429, RateLimited), (400, ProviderBadRequest)]
)
async def test_gemini_array_error_body(make: Make, status: int, kind: type[ProviderError]) -> None:
    body = [{"error": {"code": status, "message": "Resource has been exhausted", "status": "X"}}]
    provider, _ = make(GeminiProvider, error(status, body))

    with pytest.raises(kind, match="Resource has been exhausted"):
        await provider.complete(REQUEST, deadline=far())


async def test_long_vendor_message_is_truncated(make: Make) -> None:
    provider, _ = make(DeepSeekProvider, error(400, {"error": {"message": "x" * 5000}}))

    with pytest.raises(ProviderBadRequest) as caught:
        await provider.complete(REQUEST, deadline=far())

    assert len(caught.value.message) < 400


async def _retry_after(make: Make, **headers: str) -> float | None:
    provider, _ = make(OpenAIProvider, error(429, {"error": {"message": "slow down"}}, **headers))
    with pytest.raises(RateLimited) as caught:
        await provider.complete(REQUEST, deadline=far())
    return caught.value.retry_after


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
async def test_retry_after_seconds(make: Make, headers: dict[str, str], expected: float | None) -> None:
    assert await _retry_after(make, **headers) == expected


async def test_retry_after_http_date(make: Make) -> None:
    moment = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)

    retry_after = await _retry_after(make, **{"retry-after": moment})

    assert retry_after is not None
    assert 110 <= retry_after <= 120


async def test_google_retry_info_in_the_body(make: Make) -> None:
    detail = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "26s"}
    body = [{"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED", "details": [detail]}}]
    provider, _ = make(GeminiProvider, error(429, body))

    with pytest.raises(RateLimited) as caught:
        await provider.complete(REQUEST, deadline=far())

    assert caught.value.retry_after == 26


async def test_api_key_never_appears_in_errors_reprs_or_logs(
    make: Make, caplog: pytest.LogCaptureFixture
) -> None:
    echoed = {
        "error": {"message": f"Incorrect API key provided: {KEY}. Bearer {KEY}", "code": "invalid_api_key"}
    }
    provider, _ = make(
        OpenAIProvider,
        error(401, echoed),
        httpx.ConnectError(f"could not connect with {KEY}"),
        error(500, f"upstream said Authorization: Bearer {KEY}"),
    )
    caught: list[ProviderError] = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            with pytest.raises(ProviderError) as info:
                await provider.complete(REQUEST, deadline=far())
            caught.append(info.value)

    texts = [str(e) for e in caught] + [e.message for e in caught] + [repr(e) for e in caught]
    texts += [repr(provider), repr(provider._http), caplog.text]
    assert not [text for text in texts if "0123456789abcdef" in text]
    assert [type(e) for e in caught] == [ProviderAuthError, ProviderUnavailable, ProviderUnavailable]


# --- deadlines and the network switch -----------------------------------------------------------------


async def test_deadline_already_past_raises_timeout_without_a_request(make: Make) -> None:
    provider, vendor = make(DeepSeekProvider, httpx.Response(200, json=DEEPSEEK_JSON))

    with pytest.raises(ProviderTimeout):
        await provider.complete(REQUEST, deadline=time.monotonic() - 1)
    with pytest.raises(ProviderTimeout):
        await collect_until(provider, time.monotonic() - 1)

    assert vendor.requests == []


async def collect_until(provider: Provider, deadline: float) -> list[StreamChunk]:
    return [chunk async for chunk in provider.stream(REQUEST, deadline=deadline)]


async def test_slow_vendor_past_the_deadline_is_a_timeout(make: Make) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=DEEPSEEK_JSON)

    provider, _ = make(DeepSeekProvider, slow)

    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        await provider.complete(REQUEST, deadline=started + 0.05)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(("seconds_left", "kind"), [(10.0, ProviderTimeout), (600.0, ProviderUnavailable)])
async def test_read_timeout_is_final_only_when_the_deadline_bounds_it(
    make: Make, seconds_left: float, kind: type[ProviderError]
) -> None:
    provider, _ = make(DeepSeekProvider, httpx.ReadTimeout("read timed out"))

    with pytest.raises(kind):
        await provider.complete(REQUEST, deadline=time.monotonic() + seconds_left)


async def test_network_switch_refuses_a_public_host() -> None:
    provider = DeepSeekProvider(api_key=KEY)
    try:
        with pytest.raises(NetworkDisabled, match=r"api\.deepseek\.com"):
            await provider.complete(REQUEST, deadline=far())
    finally:
        await provider.aclose()


async def test_network_switch_lets_loopback_through() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = DeepSeekProvider(api_key=KEY, base_url=f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(ProviderUnavailable, match="ConnectError"):
            await provider.complete(REQUEST, deadline=far())
    finally:
        await provider.aclose()
