"""Canned vendor errors (verbatim bodies from providers.md where one is quoted) and their wire shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import JsonValue
from starlette.responses import Response

Flavour = Literal["deepseek", "openai", "gemini", "ollama"]
FaultName = Literal[
    "bad_json",
    "model_not_found",
    "retired_model",
    "reasoning_content_missing",
    "context_overflow",
    "unsupported_parameter",
    "auth",
    "balance",
    "serde",
    "rate_limit",
    "quota",
    "server",
    "overloaded",
]

_SERDE = "Failed to deserialize the JSON body into the target type: "


@dataclass(frozen=True)
class Fault:
    """One error: HTTP status and the OpenAI-style envelope fields; `plain_text` sends `message` bare."""

    status: int
    message: str
    type: str = "invalid_request_error"
    code: str | None = "invalid_request_error"
    param: str | None = None
    plain_text: bool = False


FAULTS: dict[str, Fault] = {
    "bad_json": Fault(
        400, _SERDE + "messages[9]: invalid type: sequence, expected a string at line 1 column 45446"
    ),
    "model_not_found": Fault(400, "Model Not Exist"),
    "retired_model": Fault(
        400, "The supported API model names are deepseek-v4-pro or deepseek-v4-flash, but you passed {model}."
    ),
    "reasoning_content_missing": Fault(
        400, "The `reasoning_content` in the thinking mode must be passed back to the API."
    ),
    "context_overflow": Fault(
        400,
        "This model's maximum context length is 131072 tokens. However, you requested 131329 tokens "
        "(123137 in the messages, 8192 in the completion). Please reduce the length of the messages or "
        "completion.",
    ),
    "unsupported_parameter": Fault(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead.",
        code="unsupported_parameter",
        param="max_tokens",
    ),
    "auth": Fault(
        401, "Authentication Fails, Your api key: ****fcc2 is invalid", type="authentication_error"
    ),
    "balance": Fault(402, "Insufficient Balance", type="unknown_error"),
    "serde": Fault(422, _SERDE + "missing field `messages` at line 4 column 1", plain_text=True),
    "rate_limit": Fault(
        429, "Rate limit reached for TPM", type="rate_limit_error", code="rate_limit_exceeded"
    ),
    "quota": Fault(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        type="insufficient_quota",
        code="insufficient_quota",
    ),
    "server": Fault(500, "Server Error", type="server_error", code="server_error"),
    "overloaded": Fault(503, "Server Overloaded", type="server_error", code="server_is_overloaded"),
}

_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_GOOGLE_MESSAGE = {
    429: "Resource has been exhausted (e.g. check quota).",
    503: "The model is overloaded. Please try again later.",
}
_BY_STATUS = {fault.status: fault for fault in reversed(FAULTS.values())}


def fault_named(name: str, **values: str) -> Fault:
    """A canned fault with its `{placeholders}` filled."""
    fault = FAULTS[name]
    return replace(fault, message=fault.message.format(**values)) if values else fault


def fault_for_status(status: int) -> Fault:
    """The canned fault for an HTTP status, or a generic one in the same envelope."""
    return _BY_STATUS.get(status) or Fault(status, f"Stand-in error {status}", type="api_error", code=None)


def error_payload(fault: Fault, flavour: Flavour) -> JsonValue:
    """The error body each vendor sends: OpenAI envelope, Gemini's JSON array, Ollama's string."""
    if flavour == "gemini":
        message = _GOOGLE_MESSAGE.get(fault.status, fault.message)
        status = _GOOGLE_STATUS.get(fault.status, "UNKNOWN")
        return [{"error": {"code": fault.status, "message": message, "status": status}}]
    if flavour == "ollama":
        return {"error": fault.message}
    return {"error": {"message": fault.message, "type": fault.type, "param": fault.param, "code": fault.code}}


def error_response(fault: Fault, flavour: Flavour, headers: dict[str, str] | None = None) -> Response:
    """The complete HTTP error answer; plain-text faults (DeepSeek's old 422) skip the envelope."""
    if fault.plain_text:
        return Response(fault.message, fault.status, headers, media_type="text/plain; charset=utf-8")
    body = json.dumps(error_payload(fault, flavour), ensure_ascii=False)
    return Response(body, fault.status, headers, media_type="application/json")
