"""Chat completions as DeepSeek, OpenAI and Gemini (OpenAI-compat) send them: JSON bodies and SSE streams."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import JsonValue

from jobfirst_ai.llm.standin.cache import DEEPSEEK_CACHE, OPENAI_CACHE, CachePolicy
from jobfirst_ai.llm.standin.checks import uses_reasoning_model
from jobfirst_ai.llm.standin.faults import Fault, Flavour, error_payload
from jobfirst_ai.llm.standin.prompts import JsonObject, read_prompt
from jobfirst_ai.llm.standin.turns import Ask, Turn

PIECE_CHARS = 24
DONE_FRAME = b"data: [DONE]\n\n"
_MID_STREAM_ERROR = "The server had an error while processing your request."


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """The text in stream-sized pieces (deterministic)."""
    return [text[start : start + size] for start in range(0, len(text), size)]


def sse(payload: JsonValue) -> bytes:
    """One SSE event."""
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def _thinks_deepseek(body: JsonObject) -> bool:
    thinking = body.get("thinking")
    return not (isinstance(thinking, dict) and thinking.get("type") == "disabled")


def _thinks_openai(body: JsonObject) -> bool:
    return uses_reasoning_model(body.get("model")) and body.get("reasoning_effort") != "none"


def _thinks_gemini(body: JsonObject) -> bool:
    return body.get("reasoning_effort") != "none"


@dataclass(frozen=True)
class WireProfile:
    """What differs between the OpenAI-shaped vendors, as data."""

    thinks: Callable[[JsonObject], bool]
    cache: CachePolicy | None
    keep_alive: bool
    fingerprint: str | None


PROFILES: dict[Flavour, WireProfile] = {
    "deepseek": WireProfile(_thinks_deepseek, DEEPSEEK_CACHE, keep_alive=True, fingerprint="fp_standin_prod"),
    "openai": WireProfile(_thinks_openai, OPENAI_CACHE, keep_alive=False, fingerprint=None),
    "gemini": WireProfile(_thinks_gemini, None, keep_alive=False, fingerprint=None),
}


def read_ask(flavour: Flavour, body: JsonObject) -> Ask:
    """The vendor-neutral question inside an OpenAI-shaped request body."""
    messages = body.get("messages")
    response_format = body.get("response_format")
    format_type = response_format.get("type") if isinstance(response_format, dict) else None
    user = body.get("user_id") if flavour == "deepseek" else body.get("user")
    profile = PROFILES[flavour]
    return Ask(
        prompt=read_prompt(messages if isinstance(messages, list) else []),
        json_mode=format_type in {"json_object", "json_schema"},
        schema=_response_schema(response_format),
        thinking=profile.thinks(body),
        cache_key=f"{flavour}:{user if isinstance(user, str) else ''}",
        cache_policy=profile.cache,
        blank_without_json_word=flavour == "deepseek",
    )


def _response_schema(response_format: JsonValue) -> JsonObject | None:
    if not isinstance(response_format, dict):
        return None
    json_schema = response_format.get("json_schema")
    schema = json_schema.get("schema") if isinstance(json_schema, dict) else None
    return schema if isinstance(schema, dict) else None


def usage_payload(flavour: Flavour, turn: Turn) -> JsonObject:
    """The usage object each vendor reports (see providers.md §1.5, §2.3, §3.1)."""
    total = turn.prompt_tokens + turn.completion_tokens
    if flavour == "gemini":  # completion excludes thinking, total includes it
        return {
            "prompt_tokens": turn.prompt_tokens,
            "completion_tokens": turn.content_tokens,
            "total_tokens": total,
        }
    usage: JsonObject = {
        "prompt_tokens": turn.prompt_tokens,
        "completion_tokens": turn.completion_tokens,
        "total_tokens": total,
        "prompt_tokens_details": {"cached_tokens": turn.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": turn.reasoning_tokens},
    }
    if flavour == "deepseek":
        usage["prompt_cache_hit_tokens"] = turn.cached_tokens
        usage["prompt_cache_miss_tokens"] = turn.miss_tokens
    return usage


class Completion:
    """Builds one response's JSON body or SSE frames; every chunk shares `id` and `created`."""

    def __init__(self, flavour: Flavour, body: JsonObject, turn: Turn) -> None:
        self.flavour = flavour
        self.turn = turn
        self.thinking = PROFILES[flavour].thinks(body)
        options = body.get("stream_options")
        self.include_usage = isinstance(options, dict) and options.get("include_usage") is True
        self.base: JsonObject = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}" if flavour != "deepseek" else str(uuid.uuid4()),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") if isinstance(body.get("model"), str) else "",
            "system_fingerprint": PROFILES[flavour].fingerprint,
        }

    def message(self) -> JsonObject:
        """The non-streaming response body."""
        message: JsonObject = {"role": "assistant", "content": self.turn.content}
        if self.flavour == "deepseek" and self.thinking:
            message["reasoning_content"] = self.turn.reasoning
        if self.flavour == "openai":
            message |= {"refusal": None, "annotations": []}
        choice: JsonObject = {
            "index": 0,
            "message": message,
            "logprobs": None,
            "finish_reason": self.turn.finish_reason,
        }
        return {**self.base, "choices": [choice], "usage": usage_payload(self.flavour, self.turn)}

    def frames(self) -> list[bytes]:
        """The SSE events of the streamed answer, `[DONE]` included."""
        builders = {
            "deepseek": self._deepseek_chunks,
            "openai": self._openai_chunks,
            "gemini": self._gemini_chunks,
        }
        return [*(sse(chunk) for chunk in builders[self.flavour]()), DONE_FRAME]

    def error_frame(self, message: str | None) -> bytes:
        """A mid-stream error event (the status is already 200)."""
        fault = Fault(500, message or _MID_STREAM_ERROR, type="server_error", code="server_error")
        return sse(error_payload(fault, self.flavour))

    def _chunk(self, delta: JsonObject, finish: str | None = None) -> JsonObject:
        choice: JsonObject = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**self.base, "object": "chat.completion.chunk", "choices": [choice]}

    def _deepseek_chunks(self) -> list[JsonObject]:
        # Usage rides on the last content chunk; `usage: null` elsewhere only with include_usage (§1.6).
        turn, thinking = self.turn, self.thinking
        first: JsonObject = {"role": "assistant", "content": None, "reasoning_content": ""}
        chunks = [self._chunk(first if thinking else {"role": "assistant", "content": ""})]
        chunks += [
            self._chunk({"content": None, "reasoning_content": piece}) for piece in pieces(turn.reasoning)
        ]
        extra: JsonObject = {"reasoning_content": None} if thinking else {}
        chunks += [self._chunk({"content": piece, **extra}) for piece in pieces(turn.content)]
        if self.include_usage:
            chunks = [{**chunk, "usage": None} for chunk in chunks]
        last = self._chunk({"role": None, "content": ""}, turn.finish_reason)
        return [*chunks, {**last, "usage": usage_payload("deepseek", turn)}]

    def _openai_chunks(self) -> list[JsonObject]:
        # A finish chunk with an empty delta; usage only in an extra `choices: []` chunk (§2.4).
        chunks = [self._chunk({"role": "assistant", "content": "", "refusal": None})]
        chunks += [self._chunk({"content": piece}) for piece in pieces(self.turn.content)]
        chunks.append(self._chunk({}, self.turn.finish_reason))
        if not self.include_usage:
            return chunks
        usage_chunk = {**self._chunk({}), "choices": [], "usage": usage_payload("openai", self.turn)}
        return [*({**chunk, "usage": None} for chunk in chunks), usage_chunk]

    def _gemini_chunks(self) -> list[JsonObject]:
        # Finish reason on the last content chunk; with include_usage, usage on every chunk (§3.1).
        parts = pieces(self.turn.content) or [""]
        chunks: list[JsonObject] = []
        for index, part in enumerate(parts):
            is_last = index == len(parts) - 1
            delta: JsonObject = {"role": "assistant", "content": part} if index == 0 else {"content": part}
            chunk = self._chunk(delta, self.turn.finish_reason if is_last else None)
            if self.include_usage:
                chunk["usage"] = self._running_usage(parts[: index + 1], is_last)
            chunks.append(chunk)
        return chunks

    def _running_usage(self, sent: list[str], is_last: bool) -> JsonObject:
        usage = usage_payload("gemini", self.turn)
        if not is_last:
            completion = min(self.turn.content_tokens, len("".join(sent)) // 4)
            usage["completion_tokens"] = completion
            usage["total_tokens"] = self.turn.prompt_tokens + self.turn.reasoning_tokens + completion
        return usage
