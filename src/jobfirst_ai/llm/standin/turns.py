"""One answered turn, vendor-neutral: text, reasoning, finish reason and token counts."""

from __future__ import annotations

from dataclasses import dataclass

from jobfirst_ai.llm.standin.answers import json_answer, reasoning_for, text_answer
from jobfirst_ai.llm.standin.cache import CachePolicy, PrefixCache, estimate_tokens
from jobfirst_ai.llm.standin.prompts import JsonObject, Prompt, find_schema, turn_unit
from jobfirst_ai.llm.standin.script import Shape, Step


@dataclass(frozen=True)
class Ask:
    """What a request asked for, after the wire module read its vendor fields."""

    prompt: Prompt
    json_mode: bool = False
    schema: JsonObject | None = None
    thinking: bool = False
    cache_key: str = ""
    cache_policy: CachePolicy | None = None
    blank_without_json_word: bool = False


@dataclass(frozen=True)
class Turn:
    """The answer and its usage; `completion_tokens` includes reasoning, as DeepSeek and OpenAI count."""

    content: str
    reasoning: str
    finish_reason: str
    prompt_tokens: int
    cached_tokens: int
    content_tokens: int
    reasoning_tokens: int

    @property
    def completion_tokens(self) -> int:
        """Answer plus reasoning tokens."""
        return self.content_tokens + self.reasoning_tokens

    @property
    def miss_tokens(self) -> int:
        """Prompt tokens not served from the cache."""
        return self.prompt_tokens - self.cached_tokens


def default_content(ask: Ask) -> tuple[str, str]:
    """The default answer text and finish reason for a request."""
    if ask.json_mode and ask.blank_without_json_word and not ask.prompt.mentions_json:
        # DeepSeek JSON mode without the word "json": whitespace until the token limit (providers.md §1.10).
        return " " * 16, "length"
    schema = ask.schema
    if schema is None and (ask.json_mode or ask.prompt.mentions_json):
        schema = find_schema(ask.prompt)
    if schema is not None:
        return json_answer(schema, ask.prompt), "stop"
    if ask.json_mode:
        return json_answer({"properties": {"answer": {"type": "string"}}}, ask.prompt), "stop"
    return text_answer(ask.prompt), "stop"


def spoil(text: str, shape: Shape) -> tuple[str, str | None]:
    """Apply a scripted content fault; returns the text and the finish reason it forces (if any)."""
    if shape == "malformed":
        body = f"{text[:-1]},}}" if text.endswith("}") else "{" + text
        return f"Here is the result:\n{body}", None
    if shape == "fenced":
        return f"```json\n{text}\n```", None
    if shape == "blank":
        return "   \n  ", "stop"
    if shape == "truncated":
        return text[: max(1, len(text) // 2)], "length"
    return text, None


def compose_turn(ask: Ask, step: Step | None, cache: PrefixCache) -> Turn:
    """The complete turn: default or scripted content, reasoning when thinking, and usage."""
    content, finish = default_content(ask)
    if step is not None and step.answer is not None:
        content, finish = step.answer, "stop"
    content, forced = spoil(content, step.shape if step else "as_is")
    finish = (step.finish_reason if step else None) or forced or finish
    reasoning = ""
    if ask.thinking:
        reasoning = (
            step.reasoning if step and step.reasoning is not None else reasoning_for(ask.prompt, content)
        )
    cached = 0
    if ask.cache_policy is not None:
        answer_unit = turn_unit("assistant", content)
        cached = cache.lookup(ask.cache_key, ask.prompt.serialised, answer_unit, ask.cache_policy)
    return Turn(
        content=content,
        reasoning=reasoning,
        finish_reason=finish,
        prompt_tokens=max(1, estimate_tokens(ask.prompt.serialised)),
        cached_tokens=cached,
        content_tokens=estimate_tokens(content),
        reasoning_tokens=estimate_tokens(reasoning),
    )
