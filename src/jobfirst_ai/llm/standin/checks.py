"""Request checks each vendor applies before answering, as tables of small functions per flavour."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import JsonValue

from jobfirst_ai.llm.standin.faults import Fault, Flavour, fault_named
from jobfirst_ai.llm.standin.prompts import JsonObject, read_prompt
from jobfirst_ai.llm.standin.script import StandinConfig

Check = Callable[[JsonObject, StandinConfig], Fault | None]

DEEPSEEK_MODELS = frozenset(
    {"deepseek-flash", "deepseek-v4-pro", "deepseek-v4-flash", "deepseek-v4-flash-vision-exp"}
)
RETIRED_DEEPSEEK_MODELS = frozenset({"deepseek-chat", "deepseek-reasoner"})
DEEPSEEK_ROLES = ("system", "user", "assistant", "tool", "latest_reminder")
OPENAI_MODEL_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt-")
_REASONING_MODEL_PREFIXES = ("gpt-5", "o1", "o3", "o4")
_SERDE = "Failed to deserialize the JSON body into the target type: "


def _serde(detail: str, status: int = 400) -> Fault:
    return Fault(status, _SERDE + detail)


def _response_format_type(body: JsonObject) -> JsonValue:
    response_format = body.get("response_format")
    return response_format.get("type") if isinstance(response_format, dict) else None


def messages_present(body: JsonObject, config: StandinConfig) -> Fault | None:
    """Every vendor needs a non-empty `messages` list."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return _serde("missing field `messages` at line 1 column 2")
    return None if messages else Fault(400, "[] is too short - 'messages'", param="messages")


def deepseek_model(body: JsonObject, config: StandinConfig) -> Fault | None:
    """Retired names (since 2026-07-24) and unknown names are 400s (providers.md §1.2)."""
    model = body.get("model")
    if not isinstance(model, str):
        return _serde("missing field `model` at line 1 column 2")
    if model in RETIRED_DEEPSEEK_MODELS:
        return fault_named("retired_model", model=model) if config.reject_retired_models else None
    if config.known_models_only and model not in DEEPSEEK_MODELS:
        return fault_named("model_not_found")
    return None


def deepseek_roles(body: JsonObject, config: StandinConfig) -> Fault | None:
    """DeepSeek rejects roles it does not know, `developer` included (providers.md §1.3)."""
    messages = body.get("messages")
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in DEEPSEEK_ROLES:
            expected = ", ".join(f"`{name}`" for name in DEEPSEEK_ROLES)
            return _serde(f"messages[{index}].role: unknown variant `{role}`, expected one of {expected}")
    return None


def deepseek_response_format(body: JsonObject, config: StandinConfig) -> Fault | None:
    """Only `text` and `json_object`: `json_schema` was a 422 (providers.md §1.3)."""
    if _response_format_type(body) == "json_schema":
        return _serde("response_format.type: json_schema is unavailable", status=422)
    return None


def stream_options_need_stream(body: JsonObject, config: StandinConfig) -> Fault | None:
    """DeepSeek refuses `stream_options` on a non-streaming request."""
    if body.get("stream_options") is not None and body.get("stream") is not True:
        return Fault(400, "stream_options should be set along with stream = true", param="stream_options")
    return None


def openai_max_tokens(body: JsonObject, config: StandinConfig) -> Fault | None:
    """GPT-5 family and o-series models refuse the deprecated `max_tokens`."""
    model = body.get("model")
    if isinstance(model, str) and model.startswith(_REASONING_MODEL_PREFIXES) and "max_tokens" in body:
        return fault_named("unsupported_parameter")
    return None


def openai_json_word(body: JsonObject, config: StandinConfig) -> Fault | None:
    """OpenAI's JSON mode needs the word "json" in the messages (DeepSeek's does not error)."""
    messages = body.get("messages")
    prompt = read_prompt(messages if isinstance(messages, list) else [])
    if _response_format_type(body) == "json_object" and not prompt.mentions_json:
        message = "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
        return Fault(400, message + "'json_object'.", param="messages")
    return None


CHECKS: dict[Flavour, tuple[Check, ...]] = {
    "deepseek": (
        deepseek_model,
        messages_present,
        deepseek_roles,
        deepseek_response_format,
        stream_options_need_stream,
    ),
    "openai": (messages_present, openai_max_tokens, openai_json_word),
    "gemini": (messages_present,),
    "ollama": (messages_present,),
}


def first_fault(flavour: Flavour, body: JsonObject, config: StandinConfig) -> Fault | None:
    """The first check of the flavour that fails, or None."""
    for check in CHECKS[flavour]:
        fault = check(body, config)
        if fault is not None:
            return fault
    return None


def flavour_of_model(model: JsonValue) -> Flavour:
    """At the shared `/chat/completions` path, OpenAI model names get the OpenAI flavour."""
    return "openai" if isinstance(model, str) and model.startswith(OPENAI_MODEL_PREFIXES) else "deepseek"


def uses_reasoning_model(model: JsonValue) -> bool:
    """OpenAI models that think (and report reasoning tokens)."""
    return isinstance(model, str) and model.startswith(_REASONING_MODEL_PREFIXES)
