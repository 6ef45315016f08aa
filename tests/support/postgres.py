"""The real PostgreSQL server for tests: reachable or, with CI=true, a failure (never a silent skip)."""

from __future__ import annotations

import asyncio
import os

import pytest

POSTGRES_URL = os.environ.get(
    "JOBFIRST_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def _reset() -> None:
    import asyncpg

    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(
            "DROP TABLE IF EXISTS model_calls, chat_messages, chat_sessions, interview_sessions, jobs, "
            "analyses, resumes, alembic_version CASCADE"
        )
    finally:
        await connection.close()


def reset_postgres() -> None:
    """Empty the test database; skip (or fail under CI) when the server is not there."""
    try:
        asyncio.run(_reset())
    except (OSError, TimeoutError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable under CI=true: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
