"""The usage report's shape: the seed's statistics, tokens by kind, cache hits, and costs by group."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Period = Literal["day", "month"]
Scope = Literal["own", "all"]

__all__ = ["BudgetStatus", "DailyCost", "Period", "Scope", "TokenCounts", "UsageGroup", "UsageReport"]


class TokenCounts(BaseModel):
    """Tokens by kind; `completion` includes `reasoning`, `prompt` = `cache_hit` + `cache_miss`."""

    prompt: int = 0
    cache_hit: int = Field(default=0, description="Prompt tokens served from the vendor's prefix cache")
    cache_miss: int = 0
    completion: int = 0
    reasoning: int = 0
    total: int = Field(default=0, description="prompt + completion")


class UsageGroup(BaseModel):
    """Calls of one feature, provider, model or user."""

    key: str | None = Field(description="The feature, provider, model or user tag (null: no user tag)")
    requests: int
    tokens: int
    cost_usd: Decimal
    cost_cny: Decimal


class DailyCost(BaseModel):
    """One UTC day of the period."""

    date: date
    requests: int
    cost_usd: Decimal
    cost_cny: Decimal


class BudgetStatus(BaseModel):
    """One budget limit: how much of it is used (reservations of calls in flight included)."""

    scope: Literal["global", "user"]
    period: Period
    unit: Literal["tokens", "cny"]
    limit: Decimal
    used: Decimal
    remaining: Decimal
    used_ratio: float = Field(description="used / limit (1 = exhausted: calls degrade to the engine)")


class UsageReport(BaseModel):
    """Model usage over a period: the seed's statistics (requests, tokens, average response time,
    estimated cost) and more. Costs are estimates from the price table; unpriced models count 0."""

    period: Period
    start: datetime
    end: datetime
    scope: Scope = Field(description="`own`: the caller's calls; `all`: everyone's (admin)")
    requests: int = Field(description="Model calls, cache hits and failures included")
    errors: int
    cache_hits: int
    cache_hit_rate: float = Field(description="Share of requests answered by the response cache")
    prompt_cache_hit_rate: float = Field(description="Share of prompt tokens that were vendor cache hits")
    estimated_calls: int = Field(description="Calls whose tokens were estimated (no usage reported)")
    tokens: TokenCounts
    avg_response_ms: float
    p95_response_ms: float
    estimated_cost_usd: Decimal
    estimated_cost_cny: Decimal
    by_feature: list[UsageGroup]
    by_provider: list[UsageGroup]
    by_model: list[UsageGroup]
    by_user: list[UsageGroup] | None = Field(default=None, description="Admin only: per user tag")
    daily: list[DailyCost]
    budgets: list[BudgetStatus] = Field(
        default_factory=list,
        description="Each budget limit that applies, today's or this month's (UTC): yours as a user, the "
        "platform's as an admin. Empty when no limit is set or no model is configured.",
    )
