"""Metered model calls: batch insert, and the sums the usage report is made of."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, insert, select

from jobfirst_ai.db.models import ModelCall
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.db.sqlite import inline_sqlite

__all__ = [
    "CallSums",
    "GroupKey",
    "LatencyPoint",
    "Window",
    "group_sums",
    "insert_calls",
    "latency_points",
    "total_sums",
]

GroupKey = Literal["feature", "provider", "model", "user"]


@dataclass(frozen=True)
class Window:
    """Calls in [start, end), of one user's tag or (user=None) of everyone."""

    start: datetime
    end: datetime
    user: str | None = None


@dataclass(frozen=True)
class CallSums:
    """Sums over a set of calls; costs in units of 1e-12."""

    key: str | None
    requests: int
    errors: int
    cache_hits: int
    estimated: int
    prompt_tokens: int
    cache_hit_tokens: int
    cache_miss_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    latency_ms_total: float
    cost_usd_pico: int
    cost_cny_pico: int


@dataclass(frozen=True)
class LatencyPoint:
    """One call's time, latency and cost: for the p95 and the daily series, computed in Python."""

    at: datetime
    latency_ms: float
    cost_usd_pico: int
    cost_cny_pico: int


async def insert_calls(sessions: SessionFactory, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store `rows` (ModelCall column values) in one transaction, as one executemany."""
    if not rows:
        return
    with inline_sqlite():  # one executemany of a batch (db/sqlite.py)
        async with sessions.begin() as session:
            await session.execute(insert(ModelCall), list(rows))


def _as_int(flag: ColumnElement[bool]) -> ColumnElement[int]:
    return case((flag, 1), else_=0)


def _sums() -> list[ColumnElement[Any]]:
    return [
        func.count(),
        func.sum(_as_int(ModelCall.outcome != "ok")),
        func.sum(_as_int(ModelCall.is_cache_hit.is_(True))),
        func.sum(_as_int(ModelCall.is_estimated.is_(True))),
        func.sum(ModelCall.prompt_tokens),
        func.sum(ModelCall.cache_hit_tokens),
        func.sum(ModelCall.cache_miss_tokens),
        func.sum(ModelCall.completion_tokens),
        func.sum(ModelCall.reasoning_tokens),
        func.sum(ModelCall.latency_ms),
        func.sum(ModelCall.cost_usd_pico),
        func.sum(ModelCall.cost_cny_pico),
    ]


def _where(window: Window) -> list[ColumnElement[bool]]:
    conditions = [ModelCall.at >= window.start, ModelCall.at < window.end]
    if window.user is not None:
        conditions.append(ModelCall.user == window.user)
    return conditions


def _to_sums(key: str | None, values: Sequence[Any]) -> CallSums:
    counts = [int(value or 0) for value in values[:9]]
    return CallSums(
        key=key,
        requests=counts[0],
        errors=counts[1],
        cache_hits=counts[2],
        estimated=counts[3],
        prompt_tokens=counts[4],
        cache_hit_tokens=counts[5],
        cache_miss_tokens=counts[6],
        completion_tokens=counts[7],
        reasoning_tokens=counts[8],
        latency_ms_total=float(values[9] or 0),
        cost_usd_pico=int(values[10] or 0),
        cost_cny_pico=int(values[11] or 0),
    )


async def total_sums(sessions: SessionFactory, window: Window) -> CallSums:
    """Sums over every call in `window`."""
    async with sessions() as session:
        row = (await session.execute(select(*_sums()).where(*_where(window)))).one()
    return _to_sums(None, tuple(row))


async def group_sums(sessions: SessionFactory, window: Window, key: GroupKey) -> list[CallSums]:
    """Sums per value of `key` in `window`, the costliest (then busiest) first."""
    column = getattr(ModelCall, key)
    query = select(column, *_sums()).where(*_where(window)).group_by(column)
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    groups = [_to_sums(None if row[0] is None else str(row[0]), tuple(row)[1:]) for row in rows]
    return sorted(groups, key=lambda group: (-group.cost_usd_pico, -group.requests, group.key or ""))


async def latency_points(sessions: SessionFactory, window: Window) -> list[LatencyPoint]:
    """Every call's time, latency and cost in `window`, oldest first."""
    query = (
        select(ModelCall.at, ModelCall.latency_ms, ModelCall.cost_usd_pico, ModelCall.cost_cny_pico)
        .where(*_where(window))
        .order_by(ModelCall.at)
    )
    async with sessions() as session:
        rows = (await session.execute(query)).all()
    return [LatencyPoint(at, float(latency), int(usd or 0), int(cny or 0)) for at, latency, usd, cny in rows]
