"""Structured answers: ask for JSON, parse and repair it, validate it, and correct the model once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Generic, TypeVar

import json_repair
from pydantic import BaseModel, ValidationError

from jobfirst_ai.errors import InvalidModelOutput
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message, Usage

__all__ = ["StructuredResult", "complete_structured"]

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(?P<body>.*?)```", re.DOTALL)
_MAX_REASON = 300
_MAX_ERRORS = 5
_MAX_ECHO = 8000


@dataclass(frozen=True)
class StructuredResult(Generic[T]):
    """A validated answer and what it cost: usage of every call, who answered, and how much help it took.

    `is_repaired`: the JSON needed json_repair; `is_corrected`: the model needed the corrective retry.
    """

    value: T
    usage: Usage
    provider: str
    model: str
    attempts: int
    is_repaired: bool
    is_corrected: bool


class _Unusable(ValueError):
    """The answer cannot become the schema; the message is a concise reason for the model."""


async def complete_structured(
    provider: Provider, request: ChatRequest, schema: type[T], *, deadline: float
) -> StructuredResult[T]:
    """Ask in JSON mode and return `schema`-validated output; one corrective retry, then InvalidModelOutput.

    Unvalidated JSON never leaves this function.
    """
    request = request.model_copy(
        update={"json_mode": True, "thinking": False if request.thinking is None else request.thinking}
    )
    first = await provider.complete(request, deadline=deadline)
    try:
        value, is_repaired = _validate(first, schema)
        return _result(value, [first], is_repaired=is_repaired, is_corrected=False)
    except _Unusable as problem:
        reason = str(problem)
    second = await provider.complete(_corrective(request, first.text, reason), deadline=deadline)
    try:
        value, is_repaired = _validate(second, schema)
    except _Unusable as problem:
        raise InvalidModelOutput(
            f"The model's answer did not match {schema.__name__} after one correction: {problem}",
            provider=second.provider,
        ) from None
    return _result(value, [first, second], is_repaired=is_repaired, is_corrected=True)


def _parse_object(text: str) -> tuple[dict[str, object], bool]:
    """The JSON object in `text` (code fences stripped; repaired if needed) and whether repair was needed.

    Raises _Unusable with a short reason when there is no object to be had.
    """
    body = _strip_fences(text)
    if not body:
        raise _Unusable("the answer was empty")
    try:
        value: object = json.loads(body)
        is_repaired = False
    except json.JSONDecodeError:
        value = json_repair.loads(body)
        is_repaired = True
    if not isinstance(value, dict):
        raise _Unusable("the answer was not a JSON object")
    return value, is_repaired


def _strip_fences(text: str) -> str:
    fenced = _FENCE.search(text)
    return (fenced.group("body") if fenced else text).strip()


def _validate(result: ChatResult, schema: type[T]) -> tuple[T, bool]:
    data, is_repaired = _parse_object(result.text)
    if is_repaired and result.finish_reason == "length":
        # A repaired answer cut at the token limit would validate with silently missing items.
        raise _Unusable("the answer was cut off before the JSON ended")
    try:
        return schema.model_validate(data), is_repaired
    except ValidationError as error:
        raise _Unusable(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    """Field paths and messages, never the values (they may be long or personal)."""
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'root'}: {item['msg']}"
        for item in error.errors(include_url=False, include_input=False)[:_MAX_ERRORS]
    ]
    more = error.error_count() - len(problems)
    summary = "; ".join(problems) + (f"; and {more} more" if more > 0 else "")
    return summary[:_MAX_REASON]


def _corrective(request: ChatRequest, bad_answer: str, reason: str) -> ChatRequest:
    echo = bad_answer.strip()[:_MAX_ECHO] or "(empty answer)"
    feedback = f"Your previous answer was not valid: {reason}. Return only JSON matching the schema."
    messages = (
        *request.messages,
        Message(role="assistant", content=echo),
        Message(role="user", content=feedback),
    )
    return request.model_copy(update={"messages": messages})


def _result(
    value: T, calls: list[ChatResult], *, is_repaired: bool, is_corrected: bool
) -> StructuredResult[T]:
    usage = Usage()
    for call in calls:
        usage = usage + call.usage
    return StructuredResult(
        value=value,
        usage=usage,
        provider=calls[-1].provider,
        model=calls[-1].model,
        attempts=sum(call.attempts for call in calls),
        is_repaired=is_repaired,
        is_corrected=is_corrected,
    )
