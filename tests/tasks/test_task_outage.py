"""A task that finishes while the database is unreachable keeps its result and writes it when the database
returns — it does not wait for its lease to expire and run again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc

from jobfirst_ai.db import repositories
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.features.resume import service as resume_service
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.service import Limits, ResumeInput, ResumeService


def _outage() -> exc.OperationalError:
    return exc.OperationalError("UPDATE analyses", {}, ConnectionRefusedError("connection refused"))


async def _run(tmp_path: Path, failures: int, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int, int]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade_database(engine)
    sessions = create_session_factory(engine)
    real_finish = repositories.finish_task
    calls = {"n": 0}

    async def flaky_finish(*args: Any, **kwargs: Any) -> bool:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise _outage()
        return await real_finish(*args, **kwargs)

    monkeypatch.setattr(repositories, "finish_task", flaky_finish)
    service = ResumeService(sessions, ResumeAnalyzer(load_skill_dictionary()), Limits(10**6, 10**6))
    try:
        task = await service.submit("u", ResumeInput(text="李雷，后端工程师，6年 Go 与 PostgreSQL 经验"))
        async with sessions.begin() as session:
            claimed = await repositories.claim_next_task(session, "w", 60)
        assert claimed is not None
        await service.run_task(*claimed)
        stored = await service.get("u", task.id)
        return stored.status, stored.attempts, calls["n"]
    finally:
        await engine.dispose()


def test_the_result_is_written_once_the_database_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resume_service, "FINISH_PATIENCE_SECONDS", 5.0)
    assert asyncio.run(_run(tmp_path, 2, monkeypatch)) == ("succeeded", 1, 3)


def test_past_its_patience_the_task_is_left_to_its_lease(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resume_service, "FINISH_PATIENCE_SECONDS", 0.3)
    with pytest.raises(exc.OperationalError):
        asyncio.run(_run(tmp_path, 99, monkeypatch))
