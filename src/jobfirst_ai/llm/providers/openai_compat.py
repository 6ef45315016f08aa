"""Any OpenAI-style `/chat/completions` server: body, JSON and SSE parsing, usage; vendors subclass it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import ClassVar

import httpx
from pydantic import BaseModel, Field, SecretStr

from jobfirst_ai.errors import ConfigError, ProviderUnavailable
from jobfirst_ai.llm.providers.http import (
    HttpChannel,
    HttpLimits,
    JsonObject,
    as_secret,
    decode,
    vendor_error,
)
from jobfirst_ai.llm.types import ChatRequest, ChatResult, FinishReason, StreamChunk, Usage

# Vendor finish reasons → ours; anything unknown is "other".
FINISH_REASONS: Mapping[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "content_filter": "content_filter",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "insufficient_system_resource": "error",  # DeepSeek: interrupted for lack of inference resources
    "aborted": "error",
}


class PromptDetails(BaseModel):
    """`usage.prompt_tokens_details` (OpenAI spelling of the cache hit count)."""

    cached_tokens: int | None = None


class CompletionDetails(BaseModel):
    """`usage.completion_tokens_details`."""

    reasoning_tokens: int | None = None


class WireUsage(BaseModel):
    """`usage` as OpenAI-style vendors send it; DeepSeek adds the `prompt_cache_*` pair."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int | None = None
    prompt_cache_hit_tokens: int | None = None
    prompt_cache_miss_tokens: int | None = None
    prompt_tokens_details: PromptDetails | None = None
    completion_tokens_details: CompletionDetails | None = None


class _Content(BaseModel):
    # `reasoning_content` (DeepSeek thinking) is deliberately not read: only `content` is the answer.
    content: str | None = None


class _Choice(BaseModel):
    message: _Content | None = None
    delta: _Content | None = None
    finish_reason: str | None = None

    @property
    def text(self) -> str:
        part = self.message or self.delta
        return (part.content if part else None) or ""


class _Completion(BaseModel):
    # Serves both a whole completion and one stream chunk (OpenAI's `choices: []` usage chunk included).
    choices: list[_Choice] = Field(default_factory=list)
    usage: WireUsage | None = None
    error: object = None


@dataclass
class _StreamState:
    usage: Usage | None = None
    finish_reason: FinishReason | None = None

    def final(self) -> StreamChunk:
        return StreamChunk(usage=self.usage, finish_reason=self.finish_reason or "other")


def finish_reason_from(value: str | None) -> FinishReason:
    """Our finish reason for a vendor's."""
    return FINISH_REASONS.get((value or "").lower(), "other")


def sse_data(line: str) -> str | None:
    """The payload of an SSE `data:` line; None for blanks, comments (`: keep-alive`), other fields."""
    return line[5:].strip() if line.startswith("data:") else None


class OpenAICompatibleProvider:
    """A `/chat/completions` backend. Vendor subclasses set the class defaults and override the hooks."""

    name: str = "openai_compatible"
    default_base_url: ClassVar[str | None] = None
    default_model: ClassVar[str | None] = None
    chat_path: ClassVar[str] = "chat/completions"
    max_tokens_field: ClassVar[str] = "max_tokens"
    # DeepSeek's own client treats EOF before `[DONE]` as an error; a vendor may relax it (Gemini).
    requires_done_marker: ClassVar[bool] = True

    def __init__(
        self,
        *,
        api_key: SecretStr | str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        limits: HttpLimits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        resolved_base_url = base_url or self.default_base_url
        resolved_model = model or self.default_model
        if not resolved_base_url or not resolved_model:
            raise ConfigError(f"{self.name}: EXTERNAL_AI_BASE_URL and EXTERNAL_AI_MODEL are required")
        self.check_model(resolved_model)
        self.model: str = resolved_model
        self.base_url = resolved_base_url
        self._http = HttpChannel(
            provider=self.name,
            base_url=resolved_base_url,
            api_key=as_secret(api_key),
            limits=limits or HttpLimits(),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r}, base_url={self.base_url!r})"

    # Hooks for vendor subclasses.
    def check_model(self, model: str) -> None:
        """Refuse a model name known to fail (at construction, so start-up fails, not the first call)."""

    def extra_body(self, request: ChatRequest) -> JsonObject:
        """Vendor fields added to the request body."""
        return {}

    def usage_from(self, payload: WireUsage) -> Usage:
        """Normalise a vendor's usage: DeepSeek's `prompt_cache_*` pair, else OpenAI's `cached_tokens`."""
        details = payload.prompt_tokens_details
        hit = payload.prompt_cache_hit_tokens
        if hit is None:
            hit = (details.cached_tokens if details else None) or 0
        miss = payload.prompt_cache_miss_tokens
        reasoning = payload.completion_tokens_details
        return Usage(
            prompt_tokens=payload.prompt_tokens,
            completion_tokens=payload.completion_tokens,
            cache_hit_tokens=hit,
            cache_miss_tokens=max(payload.prompt_tokens - hit, 0) if miss is None else miss,
            reasoning_tokens=(reasoning.reasoning_tokens if reasoning else None) or 0,
        )

    def build_body(self, request: ChatRequest, *, stream: bool) -> JsonObject:
        """The JSON body of a chat request."""
        body: JsonObject = {
            "model": request.model or self.model,
            "messages": [message.model_dump() for message in request.messages],
            "stream": stream,
        }
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_tokens is not None:
            body[self.max_tokens_field] = request.max_tokens
        if request.json_mode:
            body["response_format"] = {"type": "json_object"}
        if stream:
            body["stream_options"] = {"include_usage": True}
        body.update(self.extra_body(request))
        return body

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """One answer. Blank content (DeepSeek JSON mode) is returned as is with its finish reason."""
        started = time.monotonic()
        body = self.build_body(request, stream=False)
        # DeepSeek sends blank keep-alive lines before the JSON while the request waits; decode strips them.
        text = await self._http.request_text("POST", self.chat_path, deadline=deadline, body=body)
        completion = decode(text, _Completion, self.name)
        if not completion.choices:
            raise ProviderUnavailable(f"{self.name}: the response has no choices", provider=self.name)
        choice = completion.choices[0]
        return ChatResult(
            text=choice.text,
            provider=self.name,
            model=request.model or self.model,
            usage=self.usage_from(completion.usage) if completion.usage else Usage(),
            finish_reason=finish_reason_from(choice.finish_reason),
            latency_ms=(time.monotonic() - started) * 1000,
        )

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """Text chunks, then one chunk with the finish reason and the last usage any chunk carried."""
        state = _StreamState()
        body = self.build_body(request, stream=True)
        async with aclosing(self._http.stream_lines(self.chat_path, body, deadline=deadline)) as lines:
            async for line in lines:
                data = sse_data(line)
                if data == "[DONE]":
                    yield state.final()
                    return
                text = self._absorb(data, state) if data else ""
                if text:
                    yield StreamChunk(text=text)
        if self.requires_done_marker or state.finish_reason is None:
            raise ProviderUnavailable(f"{self.name}: the stream ended before [DONE]", provider=self.name)
        yield state.final()

    async def aclose(self) -> None:
        """Release pooled connections."""
        await self._http.aclose()

    def _absorb(self, data: str, state: _StreamState) -> str:
        # Usage rides on the finish chunk (DeepSeek), on a `choices: []` chunk (OpenAI) or on every
        # chunk (Gemini): keeping the last one seen is right for all three.
        chunk = decode(data, _Completion, self.name)
        if chunk.error is not None:
            message = self._http.scrub(vendor_error(data).message)
            raise ProviderUnavailable(f"{self.name}: error mid-stream: {message}", provider=self.name)
        if chunk.usage is not None:
            state.usage = self.usage_from(chunk.usage)
        if not chunk.choices:
            return ""
        choice = chunk.choices[0]
        if choice.finish_reason is not None:
            state.finish_reason = finish_reason_from(choice.finish_reason)
        return choice.text
