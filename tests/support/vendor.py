"""Scripted HTTP vendors and exact payload samples (providers.md) for the provider tests."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.types import ChatRequest, Message, StreamChunk

KEY = "sk-test-0123456789abcdefSECRET"
REQUEST = ChatRequest(
    messages=(Message(role="system", content="Answer in json."), Message(role="user", content="Lisbon?")),
    temperature=0.2,
    max_tokens=200,
    json_mode=True,
    thinking=False,
    user="tenant_42",
)

DEEPSEEK_JSON = {
    "id": "5f1c8e0a",
    "object": "chat.completion",
    "created": 1764000000,
    "model": "deepseek-flash",
    "system_fingerprint": "fp_8802369eaa_prod0820",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": '{"city": "Lisbon"}', "reasoning_content": "Hmm."},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 1290,
        "completion_tokens": 48,
        "total_tokens": 1338,
        "prompt_tokens_details": {"cached_tokens": 1152},
        "completion_tokens_details": {"reasoning_tokens": 37},
        "prompt_cache_hit_tokens": 1152,
        "prompt_cache_miss_tokens": 138,
    },
}

_CHUNK = '"id":"1f63","object":"chat.completion.chunk","created":1718345013,"model":"deepseek-flash"'
DEEPSEEK_SSE = (
    ": keep-alive\n\n: keep-alive\n\n"
    f'data: {{{_CHUNK},"choices":[{{"index":0,"delta":{{"role":"assistant","content":null,'
    '"reasoning_content":""},"finish_reason":null}],"usage":null}\n\n'
    f'data: {{{_CHUNK},"choices":[{{"index":0,"delta":{{"reasoning_content":"thinking..."}},'
    '"finish_reason":null}]}\n\n'
    f'data: {{{_CHUNK},"choices":[{{"index":0,"delta":{{"content":"Hello"}},"finish_reason":null}}]}}\n\n'
    ": keep-alive\n\n"
    f'data: {{{_CHUNK},"choices":[{{"index":0,"delta":{{"content":" there"}},"finish_reason":null}}]}}\n\n'
    f'data: {{{_CHUNK},"choices":[{{"index":0,"delta":{{"role":null,"content":""}},"finish_reason":"stop"}}],'
    '"usage":{"prompt_tokens":17,"completion_tokens":9,"total_tokens":26,'
    '"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":17}}\n\n'
    "data: [DONE]\n\n"
)

_OPENAI = '"id":"chatcmpl-CxY12abc","object":"chat.completion.chunk","model":"gpt-5.4-nano-2026-03-17"'
OPENAI_SSE = (
    f'data: {{{_OPENAI},"choices":[{{"index":0,"delta":{{"role":"assistant","content":""}},'
    '"finish_reason":null}],"usage":null,"obfuscation":"k3Jd"}\n\n'
    f'data: {{{_OPENAI},"choices":[{{"index":0,"delta":{{"content":"{{\\"city\\""}},'
    '"finish_reason":null}],"usage":null}\n\n'
    f'data: {{{_OPENAI},"choices":[{{"index":0,"delta":{{}},"finish_reason":"stop"}}],"usage":null}}\n\n'
    f'data: {{{_OPENAI},"choices":[],"usage":{{"prompt_tokens":1290,"completion_tokens":48,'
    '"total_tokens":1338,"prompt_tokens_details":{"cached_tokens":1152,"audio_tokens":0},'
    '"completion_tokens_details":{"reasoning_tokens":32,"audio_tokens":0}}}\n\n'
    "data: [DONE]\n\n"
)

_GEMINI = '"object":"chat.completion.chunk","model":"gemini-3.8-flash"'
GEMINI_SSE = (
    f'data: {{{_GEMINI},"choices":[{{"index":0,"delta":{{"content":"Lis"}},"finish_reason":null}}],'
    '"usage":{"prompt_tokens":7,"completion_tokens":1,"total_tokens":120}}\n\n'
    f'data: {{{_GEMINI},"choices":[{{"index":0,"delta":{{"content":"bon"}},"finish_reason":"stop"}}],'
    '"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":153}}\n\n'
)

OLLAMA_NDJSON = (
    '{"model":"gemma3:4b","created_at":"2026-11-24T10:15:02Z","message":{"role":"assistant",'
    '"content":"{\\"city\\""},"done":false}\n'
    '{"model":"gemma3:4b","created_at":"2026-11-24T10:15:02Z","message":{"role":"assistant",'
    '"content":": \\"Lisbon\\"}","thinking":"hidden"},"done":false}\n'
    '{"model":"gemma3:4b","created_at":"2026-11-24T10:15:03Z","message":{"role":"assistant","content":""},'
    '"done":true,"done_reason":"stop","total_duration":5191566416,"load_duration":2154458,'
    '"prompt_eval_count":26,"prompt_eval_duration":383809000,"eval_count":298,"eval_duration":4799921000}\n'
)

Answer = httpx.Response | Exception | Callable[[httpx.Request], Awaitable[httpx.Response]]


class Vendor:
    """A scripted vendor: answers from a queue (responses, exceptions, coroutines) and records requests."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer if isinstance(answer, httpx.Response) else await answer(request)

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.requests[-1].content)  # type: ignore[no-any-return]


def sse(text: str) -> httpx.Response:
    return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})


def error(status: int, body: object, **headers: str) -> httpx.Response:
    text = body if isinstance(body, str) else json.dumps(body)
    return httpx.Response(status, text=text, headers=headers)


def far() -> float:
    return time.monotonic() + 60


async def collect(provider: Provider, request: ChatRequest = REQUEST) -> list[StreamChunk]:
    return [chunk async for chunk in provider.stream(request, deadline=far())]


Make = Callable[..., Any]
