"""OpenAI: `max_completion_tokens`, and no custom temperature on reasoning (GPT-5, o-series) models."""

from __future__ import annotations

from jobfirst_ai.llm.providers.http import JsonObject
from jobfirst_ai.llm.providers.openai_compat import OpenAICompatibleProvider
from jobfirst_ai.llm.types import ChatRequest

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# The cheapest current model without GPT-5.6's cache-write surcharge (providers.md §2.7).
DEFAULT_MODEL = "gpt-5.4-nano"
# Reasoning models reject `max_tokens` and any temperature but 1 (HTTP 400 unsupported_parameter).
REASONING_PREFIXES = ("gpt-5", "o1", "o3", "o4")


def is_reasoning_model(model: str) -> bool:
    """True for the GPT-5 family and the o-series."""
    return model.startswith(REASONING_PREFIXES)


class OpenAIProvider(OpenAICompatibleProvider):
    """OpenAI's Chat Completions API."""

    name = "openai"
    default_base_url = DEFAULT_BASE_URL
    default_model = DEFAULT_MODEL
    max_tokens_field = "max_completion_tokens"

    def build_body(self, request: ChatRequest, *, stream: bool) -> JsonObject:
        body = super().build_body(request, stream=stream)
        if is_reasoning_model(str(body["model"])):
            body.pop("temperature", None)
            if request.thinking is False:
                # "low" is the one effort every reasoning model accepts ("minimal"/"none" vary by model).
                body["reasoning_effort"] = "low"
        return body

    def extra_body(self, request: ChatRequest) -> JsonObject:
        return {"user": request.user} if request.user else {}
