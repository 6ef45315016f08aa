"""Ollama's native chat API: NDJSON streaming by default, nanosecond metrics on the final object."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

from pydantic import JsonValue

from jobfirst_ai.llm.standin.faults import Fault
from jobfirst_ai.llm.standin.openai_wire import pieces
from jobfirst_ai.llm.standin.prompts import JsonObject, read_prompt
from jobfirst_ai.llm.standin.turns import Ask, Turn

MID_STREAM_ERROR = "an error was encountered while running the model"
_LOAD_NS = 2_154_458
_PROMPT_NS_PER_TOKEN = 1_000_000
_EVAL_NS_PER_TOKEN = 20_000_000  # 50 tokens/s
_MODEL_SIZE = 2_019_393_189


def full_name(model: str) -> str:
    """`model:tag`, with Ollama's default tag `latest`."""
    return model if ":" in model else f"{model}:latest"


def missing_model(body: JsonObject, installed: tuple[str, ...]) -> Fault | None:
    """404 `model 'x' not found` for a model that is not in the configured list."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return Fault(400, "model is required")
    if full_name(model) in {full_name(name) for name in installed}:
        return None
    return Fault(404, f"model '{model}' not found")


def read_ask(body: JsonObject) -> Ask:
    """The vendor-neutral question in an `/api/chat` body (`format`: "json" or a JSON schema)."""
    messages = body.get("messages")
    answer_format = body.get("format")
    return Ask(
        prompt=read_prompt(messages if isinstance(messages, list) else []),
        json_mode=answer_format == "json" or isinstance(answer_format, dict),
        schema=answer_format if isinstance(answer_format, dict) else None,
        thinking=body.get("think") not in {None, False, "none"},
    )


def wants_stream(body: JsonObject) -> bool:
    """`/api/chat` streams unless `"stream": false`."""
    return body.get("stream") is not False


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _metrics(turn: Turn) -> JsonObject:
    prompt_ns = turn.prompt_tokens * _PROMPT_NS_PER_TOKEN
    eval_ns = turn.completion_tokens * _EVAL_NS_PER_TOKEN
    metrics: JsonObject = {
        "total_duration": _LOAD_NS + prompt_ns + eval_ns + 1_000_000,
        "load_duration": _LOAD_NS,
        "prompt_eval_count": turn.prompt_tokens,
        "prompt_eval_duration": prompt_ns,
        "eval_count": turn.completion_tokens,
        "eval_duration": eval_ns,
    }
    # Ollama's Go structs use `omitempty`: zero metrics are left out.
    return {name: value for name, value in metrics.items() if value}


class OllamaReply:
    """Builds the single `stream: false` object or the NDJSON lines of one answer."""

    def __init__(self, body: JsonObject, turn: Turn, thinking: bool) -> None:
        model = body.get("model")
        self.model = model if isinstance(model, str) else ""
        self.turn = turn
        self.thinking = thinking
        self.created_at = _now()

    def _object(self, message: JsonObject, done: bool) -> JsonObject:
        return {"model": self.model, "created_at": self.created_at, "message": message, "done": done}

    def whole(self) -> JsonObject:
        """The non-streaming response."""
        message: JsonObject = {"role": "assistant", "content": self.turn.content}
        if self.thinking:
            message["thinking"] = self.turn.reasoning
        return {**self._object(message, True), "done_reason": self.turn.finish_reason, **_metrics(self.turn)}

    def lines(self) -> list[bytes]:
        """The NDJSON stream: thinking pieces, content pieces, then the final `done: true` object."""
        objects = [
            self._object({"role": "assistant", "content": "", "thinking": piece}, False)
            for piece in (pieces(self.turn.reasoning) if self.thinking else [])
        ]
        objects += [
            self._object({"role": "assistant", "content": piece}, False)
            for piece in pieces(self.turn.content)
        ]
        final = {
            **self._object({"role": "assistant", "content": ""}, True),
            "done_reason": self.turn.finish_reason,
        }
        return [ndjson(item) for item in [*objects, {**final, **_metrics(self.turn)}]]


def ndjson(payload: JsonValue) -> bytes:
    """One NDJSON line."""
    return json.dumps(payload, ensure_ascii=False).encode() + b"\n"


def error_line(message: str | None) -> bytes:
    """The mid-stream error line Ollama sends with the status already 200."""
    return ndjson({"error": message or MID_STREAM_ERROR})


def tags(installed: tuple[str, ...]) -> JsonObject:
    """`GET /api/tags`: the installed models."""
    models: list[JsonValue] = [
        {
            "name": full_name(name),
            "model": full_name(name),
            "modified_at": "2026-11-01T00:00:00Z",
            "size": _MODEL_SIZE,
            "digest": f"{zlib.crc32(name.encode()):08x}" * 8,
            "details": {"format": "gguf", "family": name.split(":")[0], "parameter_size": "3.2B"},
        }
        for name in installed
    ]
    return {"models": models}
