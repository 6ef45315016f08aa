"""DeepSeek: thinking switch, per-user cache isolation, retired model names and the balance endpoint."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, Field

from jobfirst_ai.errors import ConfigError
from jobfirst_ai.llm.providers.http import JsonObject, decode
from jobfirst_ai.llm.providers.openai_compat import OpenAICompatibleProvider
from jobfirst_ai.llm.types import ChatRequest

DEFAULT_BASE_URL = "https://api.deepseek.com"
DEFAULT_MODEL = "deepseek-flash"

# Rejected with HTTP 400 since 2026-07-24 15:59 UTC (api-docs.deepseek.com/news/news260424).
RETIRED_MODELS: Mapping[str, str] = {
    "deepseek-chat": "deepseek-flash (thinking disabled)",
    "deepseek-reasoner": "deepseek-flash (thinking enabled)",
}
# user_id must match [a-zA-Z0-9\-_]+ and be at most 512 characters (quick_start/rate_limit).
_USER_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")
_USER_ID_LIMIT = 512


def check_model_name(model: str) -> None:
    """Refuse the model names DeepSeek retired, naming the replacement."""
    replacement = RETIRED_MODELS.get(model)
    if replacement is not None:
        raise ConfigError(
            f"EXTERNAL_AI_MODEL={model} was retired by DeepSeek on 2026-07-24 and is now rejected; "
            f"use {replacement}"
        )


class Balance(BaseModel):
    """One currency's balance from `GET /user/balance` (amounts arrive as strings)."""

    currency: str
    total_balance: Decimal
    granted_balance: Decimal = Decimal(0)
    topped_up_balance: Decimal = Decimal(0)


class _BalanceReply(BaseModel):
    is_available: bool = True
    balance_infos: list[Balance] = Field(default_factory=list)


class DeepSeekProvider(OpenAICompatibleProvider):
    """DeepSeek's `/chat/completions` (OpenAI format, no `/v1` needed)."""

    name = "deepseek"
    default_base_url = DEFAULT_BASE_URL
    default_model = DEFAULT_MODEL

    def check_model(self, model: str) -> None:
        check_model_name(model)

    def extra_body(self, request: ChatRequest) -> JsonObject:
        # Thinking is on by default in the V4 era; structured tasks turn it off (cheaper, faster).
        body: JsonObject = {}
        if request.thinking is not None:
            body["thinking"] = {"type": "enabled" if request.thinking else "disabled"}
        if request.user:
            body["user_id"] = _USER_ID_UNSAFE.sub("_", request.user)[:_USER_ID_LIMIT]
        return body

    async def balance(self, *, deadline: float | None = None) -> list[Balance]:
        """The account's balances, one per currency."""
        deadline = time.monotonic() + self._http.limits.total_timeout if deadline is None else deadline
        text = await self._http.request_text("GET", "user/balance", deadline=deadline)
        return decode(text, _BalanceReply, self.name).balance_infos
