"""A task that runs longer than its lease keeps it (the runner renews it), so no other worker takes it over
and runs it — and pays for its model call — a second time; a dead worker's lease still runs out."""

from __future__ import annotations

import asyncio
from pathlib import Path

from jobfirst_ai.db import repositories
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.service import Limits, ResumeInput, ResumeService
from jobfirst_ai.tasks.runner import TaskRunner

LEASE = 0.3


async def _slow_task(tmp_path: Path, renew: bool) -> tuple[int, int]:
    """(attempts, times another worker's sweep re-queued it) for one task that runs 4 leases long."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade_database(engine)
    sessions = create_session_factory(engine)
    service = ResumeService(sessions, ResumeAnalyzer(load_skill_dictionary()), Limits(10**6, 10**6))
    requeued = 0

    async def slow(analysis_id: str, attempt: int) -> None:
        nonlocal requeued
        for _ in range(8):  # another instance sweeping expired leases meanwhile
            await asyncio.sleep(LEASE / 2)
            async with sessions.begin() as session:
                requeued += await repositories.requeue_running(session, only_expired=True)
        await service.run_task(analysis_id, attempt)

    runner = TaskRunner(
        sessions, slow, workers=1, poll_seconds=0.05, lease_seconds=LEASE, is_single_instance=False
    )
    if not renew:
        runner._keep_lease = _never  # type: ignore[method-assign]
    try:
        task = await service.submit("u", ResumeInput(text="韩梅梅，数据分析师，3年 SQL 与 Python 经验"))
        await runner.start()
        for _ in range(100):
            await asyncio.sleep(0.05)
            stored = await service.get("u", task.id)
            if stored.status == "succeeded" and requeued:
                break
            if stored.status == "succeeded" and renew:
                break
        await runner.stop()
        return (await service.get("u", task.id)).attempts, requeued
    finally:
        await engine.dispose()


async def _never(analysis_id: str, attempt: int) -> None:
    await asyncio.Event().wait()


def test_a_long_task_keeps_its_lease_and_runs_once(tmp_path: Path) -> None:
    assert asyncio.run(_slow_task(tmp_path, renew=True)) == (1, 0)


def test_without_renewal_the_lease_runs_out_and_the_task_is_taken_back(tmp_path: Path) -> None:
    _attempts, requeued = asyncio.run(_slow_task(tmp_path, renew=False))
    assert requeued >= 1
