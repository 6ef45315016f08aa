"""A task whose analysis crashes goes back to the queue, and fails for good after three attempts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from jobfirst_ai.db import repositories
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.schemas import AnalysisResult
from jobfirst_ai.features.resume.service import Limits, ResumeInput, ResumeService


class CrashingAnalyzer:
    """Crashes the first `crashes` calls, then analyses for real."""

    configuration = "crashing test analyzer"

    def __init__(self, crashes: int) -> None:
        self.crashes = crashes
        self.real = ResumeAnalyzer(load_skill_dictionary())

    async def run(self, text: str, **options: Any) -> AnalysisResult:
        if self.crashes > 0:
            self.crashes -= 1
            raise RuntimeError("a bug")
        return await self.real.run(text, **options)


async def _attempts(tmp_path: Path, crashes: int, rounds: int) -> tuple[str, int]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade_database(engine)
    sessions = create_session_factory(engine)
    service = ResumeService(sessions, CrashingAnalyzer(crashes), Limits(10**6, 10**6))  # type: ignore[arg-type]
    try:
        task = await service.submit("u", ResumeInput(text="张三，软件工程师，5年Java开发经验"))
        for _ in range(rounds):
            async with sessions.begin() as session:
                claimed = await repositories.claim_next_task(session, "w", 60)
            assert claimed is not None
            await service.run_task(*claimed)
        stored = await service.get("u", task.id)
        return stored.status, stored.attempts
    finally:
        await engine.dispose()


def test_a_crash_is_retried_and_the_task_completes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert asyncio.run(_attempts(tmp_path, crashes=1, rounds=2)) == ("succeeded", 2)
    assert "putting it back in the queue" in caplog.text


def test_a_task_that_always_crashes_fails_after_three_attempts(tmp_path: Path) -> None:
    assert asyncio.run(_attempts(tmp_path, crashes=99, rounds=4)) == ("failed", 4)
