"""PII masking for text bound to a non-local model: phones, e-mails and ID numbers become placeholders."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Literal, TypeVar, cast

from jobfirst_ai.llm.types import ChatRequest, Message

__all__ = ["DEFAULT_RULES", "PiiKind", "RedactionMap", "RedactionRule", "Redactor"]

PiiKind = Literal["EMAIL", "ID", "PHONE"]
J = TypeVar("J")

# ASCII-only boundaries: `\w` would also refuse CJK text, and "手机13812345678" must still match.
_NOT_DIGIT_BEFORE = r"(?<![0-9A-Za-z+])"
_NOT_DIGIT_AFTER = r"(?![0-9A-Za-z])"
_NOT_NUMBER_BEFORE = r"(?<![0-9A-Za-z.+-])"
_NOT_NUMBER_AFTER = r"(?![0-9A-Za-z]|[.-]\d)"


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _china_mobile_key(value: str) -> str:
    return _digits(value)[-11:]


def _international_key(value: str) -> str | None:
    digits = _digits(value)
    return digits if 8 <= len(digits) <= 15 else None


@dataclass(frozen=True)
class RedactionRule:
    """One kind of PII: the pattern that finds it and the key that says two findings are the same value.

    `key` returns None to reject a match (a shape the pattern alone cannot rule out).
    """

    kind: PiiKind
    pattern: re.Pattern[str]
    key: Callable[[str], str | None]


# Order matters: e-mails first (they may hold a phone: 13812345678@163.com), then the 18-digit IDs
# (they contain 11-digit runs), then phones. Boundaries refuse letters and digits, never CJK text.
DEFAULT_RULES: tuple[RedactionRule, ...] = (
    RedactionRule(
        "EMAIL",
        re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        str.lower,
    ),
    RedactionRule("ID", re.compile(rf"{_NOT_DIGIT_BEFORE}\d{{17}}[\dXx]{_NOT_DIGIT_AFTER}"), str.upper),
    RedactionRule(
        "PHONE",
        re.compile(
            rf"(?:(?:\(\+?86\)|\+86|0086)[\s-]?|{_NOT_DIGIT_BEFORE})1[3-9]\d(?:[\s-]?\d{{4}}){{2}}(?!\d)"
        ),
        _china_mobile_key,
    ),
    RedactionRule(
        "PHONE",
        re.compile(rf"{_NOT_DIGIT_BEFORE}\+\d{{1,3}}(?:[\s.-]?\(?\d{{1,4}}\)?){{2,6}}{_NOT_DIGIT_AFTER}"),
        _international_key,
    ),
    RedactionRule(
        "PHONE",  # North American local form: (415) 555-0100, 415-555-0100, 415.555.0100
        re.compile(
            rf"{_NOT_NUMBER_BEFORE}(?:\(\d{{3}}\)\s?|\d{{3}}[.-])\d{{3}}[.-]\d{{4}}{_NOT_NUMBER_AFTER}"
        ),
        _digits,
    ),
    RedactionRule(
        "PHONE",  # Chinese landline with its area code: 010-62345678, 0755-8888 6666
        re.compile(rf"{_NOT_NUMBER_BEFORE}0\d{{2,3}}-\d{{3,4}}\s?\d{{4}}{_NOT_NUMBER_AFTER}"),
        _digits,
    ),
)

_PLACEHOLDER = re.compile(r"[\[【]\s*(EMAIL|ID|PHONE)_(\d+)\s*[\]】]")


class RedactionMap:
    """Placeholders and the originals they stand for; the same value always gets the same placeholder."""

    def __init__(self) -> None:
        self._originals: dict[str, str] = {}
        self._by_key: dict[tuple[PiiKind, str], str] = {}
        self._counts: dict[PiiKind, int] = {}

    @property
    def originals(self) -> Mapping[str, str]:
        """Placeholder → original text, read-only."""
        return MappingProxyType(self._originals)

    def __len__(self) -> int:
        return len(self._originals)

    def placeholder(self, kind: PiiKind, key: str, original: str) -> str:
        """The placeholder for this value, made on first sight."""
        found = self._by_key.get((kind, key))
        if found is None:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            found = f"[{kind}_{self._counts[kind]}]"
            self._by_key[(kind, key)] = found
            self._originals[found] = original
        return found

    def restore(self, text: str) -> str:
        """Put the originals back wherever a known placeholder is quoted (also as 【PHONE_1】)."""

        def original(match: re.Match[str]) -> str:
            return self._originals.get(f"[{match[1]}_{match[2]}]", match[0])

        return _PLACEHOLDER.sub(original, text) if self._originals else text

    def restore_obj(self, value: J) -> J:
        """`restore` applied to every string in nested dicts (keys and values), lists and tuples."""
        if isinstance(value, str):
            return cast(J, self.restore(value))
        if isinstance(value, dict):
            return cast(J, {self.restore_obj(key): self.restore_obj(item) for key, item in value.items()})
        if isinstance(value, list | tuple):
            return cast(J, type(value)(self.restore_obj(item) for item in value))
        return value


class Redactor:
    """Masks PII with placeholders before text leaves for a remote model; the map restores the answer."""

    def __init__(self, rules: Iterable[RedactionRule] = DEFAULT_RULES) -> None:
        self.rules = tuple(rules)

    def mask(self, text: str, mapping: RedactionMap | None = None) -> tuple[str, RedactionMap]:
        """The text with PII replaced, and the map (pass one in to share placeholders across texts)."""
        mapping = mapping if mapping is not None else RedactionMap()
        for rule in self.rules:
            text = rule.pattern.sub(partial(_replace, rule=rule, mapping=mapping), text)
        return text, mapping

    def mask_request(self, request: ChatRequest) -> tuple[ChatRequest, RedactionMap]:
        """Every user and assistant message masked with one shared map. System messages pass as they are:
        they are the service's own fixed text (features put user data in user messages only), and scanning
        a ~6 KB system prompt on every call cost ~0.5 ms for nothing."""
        mapping = RedactionMap()
        messages = tuple(
            message
            if message.role == "system"
            else Message(role=message.role, content=self.mask(message.content, mapping)[0])
            for message in request.messages
        )
        return request.model_copy(update={"messages": messages}), mapping


def _replace(match: re.Match[str], *, rule: RedactionRule, mapping: RedactionMap) -> str:
    key = rule.key(match[0])
    return match[0] if key is None else mapping.placeholder(rule.kind, key, match[0])
