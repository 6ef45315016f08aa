"""The default answer: schema-valid JSON filled with words from the prompt, or a short plain-text echo.

Deterministic: the same prompt always gives the same answer (no randomness, no clock).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import JsonValue

from jobfirst_ai.llm.standin.prompts import JsonObject, Prompt, source_text

_MAX_DEPTH = 8
_DEFAULT_ITEMS = 3
_PHRASE_CHARS = 80
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#./-]*[A-Za-z0-9+#]|[\u4e00-\u9fff]{2,6}")
_LIST_SEPARATOR = re.compile(r"[,，、;；|/·]")
_LABEL = re.compile(r"(\w+)\s*[:：]")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|net|io|cn|dev)/\S*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d\s()-]{7,}\d")
_STOPWORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it"),
        *("of", "on", "or", "the", "to", "was", "were", "with", "this", "that"),
        *("json", "return", "schema", "object", "string", "array"),
    }
)
_FORMATS: dict[str, str] = {
    "date": "2020-01-01",
    "date-time": "2020-01-01T00:00:00Z",
    "time": "00:00:00",
    "uri": "https://example.com",
    "email": "candidate@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


@dataclass(frozen=True)
class Vocabulary:
    """What answers may quote: phrases (lines), skill-like words, contact details of the source text."""

    phrases: tuple[str, ...]
    words: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        """Collect the vocabulary of a text, in order of first appearance."""
        lines = (_shorten(line.strip(" \t-•*#")) for line in text.splitlines())
        phrases = _unique(line for line in lines if len(line) >= 3)
        plain = _URL.sub(" ", _EMAIL.sub(" ", text))
        words = _unique(word for word in _WORD.findall(plain) if word.lower() not in _STOPWORDS)
        heading = set(_WORD.findall(phrases[0])) if len(phrases) > 1 else set()
        heading |= set(_LABEL.findall(plain))
        listed = {word for line in plain.splitlines() if _is_list(line) for word in _WORD.findall(line)}
        ranked = sorted(words, key=lambda word: -_skill_score(word, listed, heading))
        return cls(phrases, tuple(ranked), tuple(_EMAIL.findall(text)), tuple(_PHONE.findall(text)))

    def phrase(self, path: str) -> str:
        """A phrase chosen by a stable hash of where it goes, so fields get different phrases."""
        if not self.phrases:
            return "not stated"
        return self.phrases[_pick(path, len(self.phrases))]

    def word(self, index: int) -> str:
        """The index-th skill-like word (wrapping around), or a placeholder for an empty source."""
        return self.words[index % len(self.words)] if self.words else f"item {index + 1}"


def _shorten(line: str) -> str:
    if len(line) <= _PHRASE_CHARS:
        return line
    return line[:_PHRASE_CHARS].rsplit(" ", 1)[0]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return tuple(seen.values())


def _is_list(line: str) -> bool:
    """A line of three or more short items ("Python, SQL, Docker"), not a sentence with a comma."""
    items = [item for item in _LIST_SEPARATOR.split(line) if item.strip()]
    return len(items) >= 3 and sum(len(item.split()) for item in items) <= 3 * len(items)


def _skill_score(word: str, listed: set[str], ignored: set[str]) -> int:
    """Skills sit in short-item lists and look technical (C++, SQL, FastAPI); names and labels do not."""
    technical = any(character in word for character in "+#.")
    shaped = (word.isupper() and len(word) >= 3) or (
        word[:1].isupper() and any(c.isupper() for c in word[1:])
    )
    return (
        2 * (word in listed)
        + (technical or shaped)
        + (word[:1].isupper() or not word.isascii())
        - 3 * (word in ignored)
        - 3 * (sum(character.isdigit() for character in word) >= 3)
    )


def _pick(path: str, count: int) -> int:
    return zlib.crc32(path.encode()) % count


def build_value(schema: JsonObject, root: JsonObject, vocabulary: Vocabulary, path: str = "$") -> JsonValue:
    """A value valid for `schema` (with `$ref`s resolved against `root`), filled from the vocabulary."""
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[_pick(path, len(enum))]
    kind = _kind(schema)
    if len(path) > _MAX_DEPTH * 16 or path.count(".") + path.count("[") > _MAX_DEPTH:
        return _smallest(kind)
    return _BUILDERS.get(kind, _build_string)(schema, root, vocabulary, path)


def _resolve(schema: JsonObject, root: JsonObject) -> JsonObject:
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/"):
        target: JsonValue = root
        for part in reference[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        merged = {**(target if isinstance(target, dict) else {}), **schema}
        merged.pop("$ref", None)
        return _resolve(merged, root)
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            chosen = next(
                (item for item in options if isinstance(item, dict) and _kind(item) != "null"), None
            )
            rest = {key: value for key, value in schema.items() if key != combinator}
            return _resolve({**rest, **(chosen if isinstance(chosen, dict) else {})}, root)
    return schema


def _kind(schema: JsonObject) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    if isinstance(kind, str):
        return kind
    return "object" if "properties" in schema else "array" if "items" in schema else "string"


def _smallest(kind: str) -> JsonValue:
    empty: dict[str, JsonValue] = {"object": {}, "array": [], "integer": 0, "number": 0, "boolean": False}
    return empty.get(kind, None if kind == "null" else "")


def _build_object(schema: JsonObject, root: JsonObject, vocabulary: Vocabulary, path: str) -> JsonValue:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return {}
    return {
        name: build_value(child if isinstance(child, dict) else {}, root, vocabulary, f"{path}.{name}")
        for name, child in properties.items()
    }


def _build_array(schema: JsonObject, root: JsonObject, vocabulary: Vocabulary, path: str) -> JsonValue:
    items = schema.get("items")
    item_schema: JsonObject = _resolve(items, root) if isinstance(items, dict) else {"type": "string"}
    count = _clamp(_DEFAULT_ITEMS, schema.get("minItems"), schema.get("maxItems"))
    if _kind(item_schema) == "string" and not _special_string(item_schema):
        return [_fit_string(vocabulary.word(index), item_schema) for index in range(count)]
    return [build_value(item_schema, root, vocabulary, f"{path}[{index}]") for index in range(count)]


def _build_number(schema: JsonObject, root: JsonObject, vocabulary: Vocabulary, path: str) -> JsonValue:
    low, high = (
        _bound(schema, "minimum", "exclusiveMinimum", 1),
        _bound(schema, "maximum", "exclusiveMaximum", -1),
    )
    if low is not None and high is not None:
        return int((low + high) // 2)
    return _clamp(1 + _pick(path, 5), low, high)


def _bound(schema: JsonObject, inclusive: str, exclusive: str, step: int) -> int | None:
    for key, shift in ((inclusive, 0), (exclusive, step)):
        value = schema.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value) + shift
    return None


def _clamp(value: int, low: JsonValue, high: JsonValue) -> int:
    if isinstance(low, int | float):
        value = max(value, int(low))
    if isinstance(high, int | float):
        value = min(value, int(high))
    return value


def _build_boolean(schema: JsonObject, root: JsonObject, vocabulary: Vocabulary, path: str) -> JsonValue:
    return False


def _build_null(schema: JsonObject, root: JsonObject, vocabulary: Vocabulary, path: str) -> JsonValue:
    return None


def _special_string(schema: JsonObject) -> str | None:
    format_name = schema.get("format")
    return _FORMATS.get(format_name) if isinstance(format_name, str) else None


def _build_string(schema: JsonObject, root: JsonObject, vocabulary: Vocabulary, path: str) -> JsonValue:
    special = _special_string(schema)
    name = path.rsplit(".", 1)[-1].lower()
    if special is None and "email" in name and vocabulary.emails:
        special = vocabulary.emails[0]
    elif special is None and "phone" in name and vocabulary.phones:
        special = vocabulary.phones[0]
    elif special is None and name in {"name", "full_name", "fullname"} and vocabulary.phrases:
        special = vocabulary.phrases[0]
    return _fit_string(special or vocabulary.phrase(path), schema)


def _fit_string(text: str, schema: JsonObject) -> str:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(high, int):
        text = text[:high]
    if isinstance(low, int) and len(text) < low:
        text = text.ljust(low, ".")
    return text


_BUILDERS = {
    "object": _build_object,
    "array": _build_array,
    "integer": _build_number,
    "number": _build_number,
    "boolean": _build_boolean,
    "null": _build_null,
    "string": _build_string,
}


def json_answer(schema: JsonObject, prompt: Prompt) -> str:
    """The JSON text of a value valid for `schema`, quoting the prompt's source text."""
    value = build_value(schema, schema, Vocabulary.of(source_text(prompt)))
    return json.dumps(value, ensure_ascii=False)


def text_answer(prompt: Prompt) -> str:
    """A short plain-text reply that echoes the start of the last user message."""
    last = prompt.user[-1] if prompt.user else ""
    words = last.split()
    echo = " ".join(words[:12]) + (" ..." if len(words) > 12 else "")
    return f"Stand-in answer to: {echo}" if echo else "Stand-in answer."


def reasoning_for(prompt: Prompt, answer: str) -> str:
    """Deterministic 'thinking' text that precedes the answer in thinking mode."""
    kind = "a JSON object" if answer.lstrip().startswith("{") else "a short reply"
    return (
        f"The request has {len(prompt.system)} system and {len(prompt.user)} user messages. "
        f"I will answer with {kind} built only from the text provided."
    )
