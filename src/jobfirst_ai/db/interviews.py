"""Queries over interview sessions: insert, owner-scoped read, and the versioned write that fences races."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfirst_ai.db.models import InterviewSession, utc_now

ACTIVE, FINISHED = "active", "finished"


async def add_session(session: AsyncSession, row: InterviewSession) -> InterviewSession:
    """Insert a new session."""
    session.add(row)
    await session.flush()
    return row


async def find_session(session: AsyncSession, session_id: str, owner: str) -> InterviewSession | None:
    """The session with this id if `owner` owns it (another user's id reads as unknown)."""
    query = select(InterviewSession).where(InterviewSession.id == session_id, InterviewSession.owner == owner)
    return (await session.execute(query)).scalar_one_or_none()


async def save_session(session: AsyncSession, session_id: str, version: int, values: dict[str, Any]) -> bool:
    """Write `values` and move to `version + 1`, only if the row is still at `version`; False otherwise.

    The version is a fencing token: two writers that read the same version cannot both write, so two
    concurrent answers to one question never both count.
    """
    statement = (
        update(InterviewSession)
        .where(InterviewSession.id == session_id, InterviewSession.version == version)
        .values(version=version + 1, updated_at=utc_now(), **values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
