"""Wiring of budgets and rate limits from settings: the guard's ledger (Redis or this process), its
baseline from the usage table, the warning webhook, and the per-user rate limiter."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from jobfirst_ai.config import Settings
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.db.usage import Window, total_sums
from jobfirst_ai.features.usage.recorder import UsageRecorder
from jobfirst_ai.llm.budget import BudgetGuard, BudgetLimits, Webhook
from jobfirst_ai.llm.ledger import Ledger, MemoryLedger, RedisLedger
from jobfirst_ai.llm.pricing import load_price_table
from jobfirst_ai.ratelimit import MemoryWindow, RateLimiter, RedisWindow
from jobfirst_ai.ratelimit import Window as RateWindow
from jobfirst_ai.redis_link import RedisLink

__all__ = ["budget_webhook", "build_budget", "build_rate_limiter"]

logger = logging.getLogger(__name__)


def build_budget(
    settings: Settings, sessions: SessionFactory, recorder: UsageRecorder, redis: RedisLink | None
) -> BudgetGuard | None:
    """The budget guard, or None when no limit is set and nothing needs the per-user daily counter."""
    limits = BudgetLimits.from_settings(settings)
    if not limits.is_active:
        return None
    ledger: Ledger = RedisLedger(redis) if redis is not None else MemoryLedger()

    async def baseline(start: datetime, user: str | None) -> tuple[int, int]:
        await recorder.flush()  # this process's queued records count too
        sums = await total_sums(sessions, Window(start, datetime.now(UTC) + timedelta(days=1), user))
        return sums.prompt_tokens + sums.completion_tokens, sums.cost_cny_pico

    return BudgetGuard(
        limits,
        ledger,
        load_price_table(settings.ai_prices_file),
        baseline=baseline,
        webhook=budget_webhook(settings.budget_webhook_url) if settings.budget_webhook_url else None,
    )


def build_rate_limiter(
    settings: Settings, redis: RedisLink | None, budget: BudgetGuard | None
) -> RateLimiter:
    """The per-user limits (both 0 by default: off)."""
    window: RateWindow = RedisWindow(redis) if redis is not None else MemoryWindow()
    return RateLimiter(
        requests_per_minute=settings.rate_limit_user_rpm,
        tokens_per_day=settings.rate_limit_user_tokens_per_day,
        window=window,
        budget=budget,
    )


def budget_webhook(url: str) -> Webhook:
    """POST each event as JSON in the background (5 s timeout): a slow receiver never holds a request."""
    pending: set[asyncio.Task[None]] = set()

    async def post(event: dict[str, object]) -> None:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.post(url, json=event)
            if response.status_code >= 400:
                logger.warning("budget webhook answered %d", response.status_code)
        except httpx.HTTPError as error:
            logger.warning("budget webhook failed: %s", type(error).__name__)

    async def send(event: dict[str, object]) -> None:
        task = asyncio.create_task(post(event))
        pending.add(task)
        task.add_done_callback(pending.discard)

    return send
