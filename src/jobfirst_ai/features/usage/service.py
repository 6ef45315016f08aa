"""The usage report: a period's metered calls, the caller's own or (admin) everyone's, summed."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.db.usage import CallSums, LatencyPoint, Window, group_sums, latency_points, total_sums
from jobfirst_ai.features.resume.enrich import user_tag
from jobfirst_ai.features.usage.recorder import UsageRecorder
from jobfirst_ai.features.usage.schemas import (
    BudgetStatus,
    DailyCost,
    Period,
    TokenCounts,
    UsageGroup,
    UsageReport,
)
from jobfirst_ai.llm.budget import BudgetGuard

__all__ = ["UsageService", "period_start", "usage_report"]

PICO = Decimal("1e12")


class UsageService:
    """The process's usage recorder (the provider chain's sink) and the report over what it wrote."""

    def __init__(
        self, sessions: SessionFactory, recorder: UsageRecorder, budget: BudgetGuard | None = None
    ) -> None:
        self.sessions = sessions
        self.recorder = recorder
        self.budget = budget

    async def report(self, period: Period, *, owner: str | None) -> UsageReport:
        """The report, after writing what is still queued (so a caller sees its own latest calls), with
        the budget lines of the period: the owner's own, or the platform's when `owner` is None."""
        await self.recorder.flush()
        report = await usage_report(self.sessions, period, owner=owner)
        if self.budget is not None:
            lines = await self.budget.lines(None if owner is None else user_tag(owner))
            wanted = "global" if owner is None else "user"
            report.budgets = [
                BudgetStatus(
                    scope=line.scope,
                    period=line.period,
                    unit=line.unit,
                    limit=line.limit,
                    used=line.used,
                    remaining=line.remaining,
                    used_ratio=line.ratio,
                )
                for line in lines
                if line.scope == wanted and line.period == period
            ]
        return report


def period_start(period: Period, now: datetime) -> datetime:
    """The start of the UTC calendar day or month containing `now`."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day if period == "day" else day.replace(day=1)


async def usage_report(
    sessions: SessionFactory,
    period: Period,
    *,
    owner: str | None,
    now: datetime | None = None,
) -> UsageReport:
    """`owner`'s calls (matched by the same opaque tag features send), or everyone's when None, with a
    per-user breakdown. The p95 is computed in Python over the period's latencies."""
    end = now or datetime.now(UTC)
    window = Window(period_start(period, end), end + timedelta(microseconds=1), _tag(owner))
    totals = await total_sums(sessions, window)
    points = await latency_points(sessions, window)
    groups = {key: await group_sums(sessions, window, key) for key in ("feature", "provider", "model")}
    by_user = None if owner is not None else [_group(g) for g in await group_sums(sessions, window, "user")]
    return UsageReport(
        period=period,
        start=window.start,
        end=end,
        scope="all" if owner is None else "own",
        requests=totals.requests,
        errors=totals.errors,
        cache_hits=totals.cache_hits,
        cache_hit_rate=_share(totals.cache_hits, totals.requests),
        prompt_cache_hit_rate=_share(totals.cache_hit_tokens, totals.prompt_tokens),
        estimated_calls=totals.estimated,
        tokens=_tokens(totals),
        avg_response_ms=round(totals.latency_ms_total / totals.requests, 1) if totals.requests else 0.0,
        p95_response_ms=_p95([point.latency_ms for point in points]),
        estimated_cost_usd=_money(totals.cost_usd_pico),
        estimated_cost_cny=_money(totals.cost_cny_pico),
        by_feature=[_group(group) for group in groups["feature"]],
        by_provider=[_group(group) for group in groups["provider"]],
        by_model=[_group(group) for group in groups["model"]],
        by_user=by_user,
        daily=_daily(points, window.start.date(), end.astimezone(UTC).date()),
    )


def _tag(owner: str | None) -> str | None:
    return None if owner is None else user_tag(owner)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _money(pico: int) -> Decimal:
    return (Decimal(pico) / PICO).normalize() if pico else Decimal(0)


def _tokens(sums: CallSums) -> TokenCounts:
    return TokenCounts(
        prompt=sums.prompt_tokens,
        cache_hit=sums.cache_hit_tokens,
        cache_miss=sums.cache_miss_tokens,
        completion=sums.completion_tokens,
        reasoning=sums.reasoning_tokens,
        total=sums.prompt_tokens + sums.completion_tokens,
    )


def _group(sums: CallSums) -> UsageGroup:
    return UsageGroup(
        key=sums.key,
        requests=sums.requests,
        tokens=sums.prompt_tokens + sums.completion_tokens,
        cost_usd=_money(sums.cost_usd_pico),
        cost_cny=_money(sums.cost_cny_pico),
    )


def _p95(latencies: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not latencies:
        return 0.0
    ordered = sorted(latencies)
    return round(ordered[math.ceil(0.95 * len(ordered)) - 1], 1)


def _daily(points: list[LatencyPoint], first: date, last: date) -> list[DailyCost]:
    """One entry per UTC day from `first` to `last`, days without calls included."""
    sums: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for point in points:
        at = point.at if point.at.tzinfo else point.at.replace(tzinfo=UTC)  # SQLite returns naive UTC
        day = sums[at.astimezone(UTC).date()]
        day[0] += 1
        day[1] += point.cost_usd_pico
        day[2] += point.cost_cny_pico
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return [
        DailyCost(
            date=day, requests=sums[day][0], cost_usd=_money(sums[day][1]), cost_cny=_money(sums[day][2])
        )
        for day in days
    ]
