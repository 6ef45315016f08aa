"""The usage batch writer: few transactions for many records, nothing lost at shutdown, bounded queue."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.db.usage import insert_calls
from jobfirst_ai.features.resume.enrich import user_tag
from jobfirst_ai.features.usage.recorder import UsageRecorder, as_row
from jobfirst_ai.features.usage.service import usage_report
from jobfirst_ai.llm.metering import CallRecord

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def call(
    user: str | None = "tag", *, at: datetime = NOW, latency: float = 100.0, **changes: Any
) -> CallRecord:
    values: dict[str, Any] = {
        "at": at,
        "user": user,
        "feature": "chat",
        "provider": "deepseek",
        "model": "deepseek-flash",
        "prompt_tokens": 100,
        "cache_hit_tokens": 60,
        "cache_miss_tokens": 40,
        "completion_tokens": 20,
        "reasoning_tokens": 5,
        "latency_ms": latency,
        "attempts": 1,
        "is_cache_hit": False,
        "outcome": "ok",
        "is_estimated": False,
        "cost_usd": Decimal("0.000012345678"),
        "cost_cny": Decimal("0.0001"),
    }
    values.update(changes)
    return CallRecord(**values)


class Batches:
    def __init__(self, *, failures: int = 0) -> None:
        self.batches: list[list[Mapping[str, Any]]] = []
        self.failures = failures

    async def write(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("database down")
        self.batches.append(list(rows))


async def test_many_records_are_written_in_few_transactions() -> None:
    store = Batches()
    recorder = UsageRecorder(store.write, flush_seconds=60, batch_size=100)
    recorder.start()

    for _ in range(250):
        recorder.record(call())
    await recorder.aclose()

    assert [len(batch) for batch in store.batches] == [100, 100, 50]


async def test_shutdown_writes_everything_still_queued() -> None:
    store = Batches()
    recorder = UsageRecorder(store.write, flush_seconds=60, batch_size=100)
    recorder.start()

    for _ in range(7):
        recorder.record(call())
    await recorder.aclose()

    assert [len(batch) for batch in store.batches] == [7]
    assert (recorder.written, recorder.queued) == (7, 0)


async def test_a_failed_write_is_retried_not_lost() -> None:
    store = Batches(failures=1)
    recorder = UsageRecorder(store.write, flush_seconds=60, batch_size=10)

    for _ in range(3):
        recorder.record(call())
    await recorder.flush()
    await recorder.aclose()

    assert [len(batch) for batch in store.batches] == [3]


async def test_a_full_queue_drops_and_counts_records_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    store = Batches()
    recorder = UsageRecorder(store.write, flush_seconds=60, batch_size=100, max_queued=3)

    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            recorder.record(call())

    assert (recorder.queued, recorder.dropped) == (3, 2)
    assert len([entry for entry in caplog.records if "queue full" in entry.message]) == 1
    await recorder.aclose()


def test_a_row_carries_costs_in_units_of_1e_12() -> None:
    row = as_row(call(cost_cny=None))

    assert (row["cost_usd_pico"], row["cost_cny_pico"]) == (12_345_678, None)
    assert "cost_usd" not in row


async def test_the_report_sums_what_was_written(tmp_path: Path) -> None:
    database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'usage.db'}")
    await upgrade_database(database)
    sessions = create_session_factory(database)
    alice, bob = user_tag("alice"), user_tag("bob")
    calls = [
        call(alice, latency=100),
        call(alice, latency=300, feature="resume_analysis"),
        call(alice, latency=0, is_cache_hit=True, prompt_tokens=0, cache_hit_tokens=0, cache_miss_tokens=0),
        call(bob, latency=1000, outcome="provider_timeout"),
        call(bob, at=NOW - timedelta(days=1)),
    ]
    try:
        await insert_calls(sessions, [as_row(item) for item in calls])
        own = await usage_report(sessions, "day", owner="alice", now=NOW)
        everyone = await usage_report(sessions, "month", owner=None, now=NOW)
    finally:
        await database.dispose()

    assert (own.scope, own.requests, own.cache_hits, own.errors, own.by_user) == ("own", 3, 1, 0, None)
    assert (own.tokens.prompt, own.tokens.cache_hit, own.tokens.completion) == (200, 120, 60)
    assert own.cache_hit_rate == pytest.approx(1 / 3, abs=1e-4)
    assert (own.avg_response_ms, own.p95_response_ms) == (133.3, 300.0)
    assert own.estimated_cost_usd == Decimal("0.000037037034")
    assert {group.key: group.requests for group in own.by_feature} == {"chat": 2, "resume_analysis": 1}
    assert (everyone.scope, everyone.requests, everyone.errors) == ("all", 5, 1)
    assert {group.key: group.requests for group in everyone.by_user or []} == {alice: 3, bob: 2}
    assert [(day.date.day, day.requests) for day in everyone.daily[-2:]] == [(19, 1), (20, 4)]
    assert len(everyone.daily) == 20
