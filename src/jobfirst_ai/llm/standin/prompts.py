"""Reading a chat request's prompt: message text, the JSON shape it asks for, and the source text.

Conventions (see the package docstring): a schema between `<json_schema>` and `</json_schema>`, else the
first JSON object example in the system then user messages (`Return JSON: {"city": "..."}`); source text
between `<resume>`/`<job>`/`<document>`/`<source>` tags, else the user messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import JsonValue

JsonObject = dict[str, JsonValue]

_SCHEMA_BLOCK = re.compile(r"<json_schema>(.*?)</json_schema>", re.DOTALL | re.IGNORECASE)
_SOURCE_TAGS = ("resume", "job", "document", "source")
_MAX_EXAMPLE_SCAN = 200


@dataclass(frozen=True)
class Prompt:
    """The parts of a chat request the default answer needs."""

    system: tuple[str, ...]
    user: tuple[str, ...]
    serialised: str

    @property
    def texts(self) -> tuple[str, ...]:
        """System texts first, then user texts."""
        return (*self.system, *self.user)

    @property
    def mentions_json(self) -> bool:
        """Whether any message contains the word "json" (DeepSeek and OpenAI JSON mode require it)."""
        return any("json" in text.lower() for text in self.texts)


def message_text(message: Mapping[str, JsonValue]) -> str:
    """A message's text: a plain string, or the `text` parts of a content array joined by newlines."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [part.get("text") for part in content if isinstance(part, dict)]
        return "\n".join(part for part in parts if isinstance(part, str))
    return ""


def read_prompt(messages: Sequence[JsonValue]) -> Prompt:
    """Split the messages by role and serialise them (the text the prefix cache compares)."""
    turns = [
        (str(message.get("role", "")), message_text(message))
        for message in messages
        if isinstance(message, dict)
    ]
    system = tuple(text for role, text in turns if role in {"system", "developer"})
    user = tuple(text for role, text in turns if role == "user")
    return Prompt(system, user, "".join(turn_unit(role, text) for role, text in turns))


def turn_unit(role: str, text: str) -> str:
    """One message as the cache sees it; an answer becomes the next request's assistant turn."""
    return f"<|{role}|>{text}\n"


def find_schema(prompt: Prompt) -> JsonObject | None:
    """The JSON schema the prompt asks for: a `<json_schema>` block, else one inferred from an example."""
    for text in prompt.texts:
        for block in _SCHEMA_BLOCK.findall(text):
            parsed = _loads(block)
            if isinstance(parsed, dict):
                return parsed
    for text in prompt.texts:
        example = _first_object(_SCHEMA_BLOCK.sub("", text))
        if example is not None:
            return infer_schema(example)
    return None


def _loads(text: str) -> JsonValue:
    try:
        parsed: JsonValue = json.loads(text)
    except ValueError:
        return None
    return parsed


def _first_object(text: str) -> JsonObject | None:
    decoder = json.JSONDecoder()
    starts = [match.start() for match in re.finditer(r"\{", text)][:_MAX_EXAMPLE_SCAN]
    for start in starts:
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if isinstance(value, dict) and value:
            return value
    return None


def infer_schema(example: JsonValue) -> JsonObject:
    """A JSON schema that the example satisfies: keys all required, list items from the first item."""
    if isinstance(example, dict):
        properties = {key: infer_schema(value) for key, value in example.items()}
        return {"type": "object", "properties": dict(properties), "required": list(example)}
    if isinstance(example, list):
        return {"type": "array", "items": infer_schema(example[0] if example else "")}
    if isinstance(example, bool):
        return {"type": "boolean"}
    if isinstance(example, int):
        return {"type": "integer"}
    if isinstance(example, float):
        return {"type": "number"}
    return {"type": "string"}


def source_text(prompt: Prompt) -> str:
    """The text answers quote from: tagged blocks (resume first), else the user messages."""
    joined = "\n".join(prompt.texts)
    blocks = [
        block
        for tag in _SOURCE_TAGS
        for block in re.findall(rf"<{tag}>(.*?)</{tag}>", joined, re.DOTALL | re.IGNORECASE)
    ]
    if blocks:
        return "\n".join(blocks)
    return "\n".join(_SCHEMA_BLOCK.sub("", text) for text in prompt.user)
