"""Ollama's native `/api/chat`: NDJSON streaming, counters on the last `done` object, `{"error": ...}`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing

import httpx
from pydantic import BaseModel, SecretStr

from jobfirst_ai.errors import ProviderUnavailable
from jobfirst_ai.llm.providers.http import HttpChannel, HttpLimits, JsonObject, as_secret, decode
from jobfirst_ai.llm.types import ChatRequest, ChatResult, FinishReason, StreamChunk, Usage

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_MODEL = "gemma3:4b"
CHAT_PATH = "api/chat"
# `done_reason` values: stop, length, load, unload.
DONE_REASONS: Mapping[str, FinishReason] = {"stop": "stop", "length": "length"}


class _Message(BaseModel):
    # `thinking` (reasoning text) is deliberately not read.
    content: str = ""


class _ChatLine(BaseModel):
    """One NDJSON line of `/api/chat`, or the whole non-streamed reply."""

    message: _Message | None = None
    done: bool = False
    done_reason: str | None = None
    prompt_eval_count: int = 0  # counters are `omitempty`: absent means zero
    eval_count: int = 0
    error: str | None = None

    @property
    def text(self) -> str:
        return self.message.content if self.message else ""

    def usage(self) -> Usage:
        # Ollama reports no cache split; every prompt token counts as a miss.
        return Usage(
            prompt_tokens=self.prompt_eval_count,
            completion_tokens=self.eval_count,
            cache_miss_tokens=self.prompt_eval_count,
        )

    def finish_reason(self) -> FinishReason:
        return DONE_REASONS.get(self.done_reason or "", "other")


def server_root(base_url: str) -> str:
    """OLLAMA_HOST is the server root; tolerate one that already ends in /api (chat and embeddings alike)."""
    return base_url.rstrip("/").removesuffix("/api")


class OllamaProvider:
    """A local (or cloud, with a key) Ollama server."""

    name: str = "ollama"

    def __init__(
        self,
        *,
        api_key: SecretStr | str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        limits: HttpLimits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = server_root(base_url or DEFAULT_HOST)
        self.model: str = model or DEFAULT_MODEL
        self._http = HttpChannel(
            provider=self.name,
            base_url=self.base_url,
            api_key=as_secret(api_key),
            limits=limits or HttpLimits(),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"OllamaProvider(model={self.model!r}, base_url={self.base_url!r})"

    def build_body(self, request: ChatRequest, *, stream: bool) -> JsonObject:
        """The JSON body of `/api/chat`."""
        options: JsonObject = {}
        if request.temperature is not None:
            options["temperature"] = request.temperature
        if request.max_tokens is not None:
            options["num_predict"] = request.max_tokens
        body: JsonObject = {
            "model": request.model or self.model,
            "messages": [message.model_dump() for message in request.messages],
            "stream": stream,
            "options": options,
        }
        if request.json_mode:
            body["format"] = "json"
        if request.thinking is not None:
            body["think"] = request.thinking
        return body

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """One answer (`stream: false`)."""
        started = time.monotonic()
        body = self.build_body(request, stream=False)
        reply = self._checked(await self._http.request_text("POST", CHAT_PATH, deadline=deadline, body=body))
        return ChatResult(
            text=reply.text,
            provider=self.name,
            model=request.model or self.model,
            usage=reply.usage(),
            finish_reason=reply.finish_reason(),
            latency_ms=(time.monotonic() - started) * 1000,
        )

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """Text chunks; the final `done: true` object becomes the chunk with usage and finish reason."""
        body = self.build_body(request, stream=True)
        lines = self._http.stream_lines(CHAT_PATH, body, deadline=deadline)
        async with aclosing(lines):
            async for line in lines:
                if not line.strip():
                    continue
                reply = self._checked(line)
                if reply.done:
                    yield StreamChunk(
                        text=reply.text, usage=reply.usage(), finish_reason=reply.finish_reason()
                    )
                    return
                if reply.text:
                    yield StreamChunk(text=reply.text)
        raise ProviderUnavailable(
            f"{self.name}: the stream ended before its `done` object", provider=self.name
        )

    async def aclose(self) -> None:
        """Release pooled connections."""
        await self._http.aclose()

    def _checked(self, text: str) -> _ChatLine:
        # A failure after the 200 status arrives as a last line {"error": "..."}.
        reply = decode(text, _ChatLine, self.name)
        if reply.error is not None:
            message = self._http.scrub(reply.error)
            raise ProviderUnavailable(f"{self.name}: {message}", provider=self.name)
        return reply
