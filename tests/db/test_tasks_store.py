"""The task store on SQLite and PostgreSQL: atomic claims, fencing by attempt, re-queueing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jobfirst_ai.db import repositories
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.models import Analysis, Resume, utc_now
from jobfirst_ai.db.session import SessionFactory, create_engine, create_session_factory


@asynccontextmanager
async def _prepared(url: str, tasks: int) -> AsyncIterator[tuple[SessionFactory, list[str]]]:
    engine = create_engine(url)
    await upgrade_database(engine)
    try:
        yield await _seed(create_session_factory(engine), tasks)
    finally:
        await engine.dispose()


async def _seed(sessions: SessionFactory, tasks: int) -> tuple[SessionFactory, list[str]]:
    ids = []
    async with sessions.begin() as session:
        resume = Resume(
            id=repositories.new_id(),
            owner="u",
            source_format="text",
            size_bytes=1,
            text="x",
            text_sha256="0" * 64,
        )
        await repositories.add_resume(session, resume)
        for _ in range(tasks):
            analysis = Analysis(
                id=repositories.new_id(),
                resume_id=resume.id,
                owner="u",
                status="queued",
                options={},
                attempts=0,
                created_at=utc_now(),
            )
            ids.append((await repositories.add_analysis(session, analysis)).id)
    return sessions, ids


async def _claim(sessions: SessionFactory, worker: str) -> tuple[str, int] | None:
    async with sessions.begin() as session:
        return await repositories.claim_next_task(session, worker, 60)


def test_concurrent_claims_never_hand_out_a_task_twice(database_url: str) -> None:
    async def scenario() -> list[tuple[str, int] | None]:
        async with _prepared(database_url, 10) as (sessions, _):
            return await asyncio.gather(*(_claim(sessions, f"w{index}") for index in range(14)))

    claims = asyncio.run(scenario())

    claimed = [claim[0] for claim in claims if claim]
    assert len(claimed) == 10
    assert len(set(claimed)) == 10


def test_a_stale_attempt_cannot_finish_a_task(database_url: str) -> None:
    async def scenario() -> tuple[bool, bool, str]:
        async with _prepared(database_url, 1) as (sessions, [task_id]):
            return await _race(sessions, task_id)

    assert asyncio.run(scenario()) == (False, True, "succeeded")


async def _race(sessions: SessionFactory, task_id: str) -> tuple[bool, bool, str]:
    first = await _claim(sessions, "a")
    async with sessions.begin() as session:
        await repositories.requeue_running(session, only_expired=False)
    second = await _claim(sessions, "b")
    assert first and second and second[1] == first[1] + 1
    async with sessions.begin() as session:
        stale = await repositories.finish_task(session, task_id, first[1], {"status": "succeeded"})
    async with sessions.begin() as session:
        fresh = await repositories.finish_task(session, task_id, second[1], {"status": "succeeded"})
    async with sessions() as session:
        stored = await repositories.find_analysis(session, task_id, None)
    assert stored is not None
    return stale, fresh, stored.status


def test_a_crashed_attempt_goes_back_to_the_queue_and_is_claimed_again(database_url: str) -> None:
    async def scenario() -> tuple[bool, tuple[str, int] | None]:
        async with _prepared(database_url, 1) as (sessions, [task_id]):
            first = await _claim(sessions, "a")
            assert first is not None
            async with sessions.begin() as session:
                released = await repositories.release_task(session, task_id, first[1])
            return released, await _claim(sessions, "b")

    released, second = asyncio.run(scenario())

    assert released
    assert second is not None and second[1] == 2
