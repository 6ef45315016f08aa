"""Gemini through its OpenAI-compatible endpoint: thinking tokens left out of `completion_tokens`."""

from __future__ import annotations

from jobfirst_ai.llm.providers.http import JsonObject
from jobfirst_ai.llm.providers.openai_compat import OpenAICompatibleProvider, WireUsage
from jobfirst_ai.llm.types import ChatRequest, Usage

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"
# The cheapest current 3.x text model (providers.md §3.5).
DEFAULT_MODEL = "gemini-3.5-flash-lite"


class GeminiProvider(OpenAICompatibleProvider):
    """Gemini's `/v1beta/openai/chat/completions`; errors arrive as JSON arrays (handled in http.py)."""

    name = "gemini"
    default_base_url = DEFAULT_BASE_URL
    default_model = DEFAULT_MODEL
    # The `[DONE]` terminator is not independently verified (providers.md §3.1): accept EOF after a
    # chunk that carried a finish reason.
    requires_done_marker = False

    def extra_body(self, request: ChatRequest) -> JsonObject:
        # reasoning_effort maps to Gemini's thinking level/budget; "minimal" is the lowest level that
        # both the 2.5 and 3.x families accept.
        return {"reasoning_effort": "minimal"} if request.thinking is False else {}

    def usage_from(self, payload: WireUsage) -> Usage:
        # Observed 2026-10: completion_tokens excludes thinking while total_tokens includes it
        # (prompt 7, completion 3, total 153): thinking = total - prompt - completion, billed as output.
        usage = super().usage_from(payload)
        thinking = (payload.total_tokens or 0) - payload.prompt_tokens - payload.completion_tokens
        if thinking <= 0:
            return usage
        return usage.model_copy(
            update={"completion_tokens": payload.completion_tokens + thinking, "reasoning_tokens": thinking}
        )
