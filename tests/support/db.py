"""Direct reads of the service's database, for tests that must look without going through the service."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from jobfirst_ai.db.models import Analysis
from jobfirst_ai.db.session import create_engine


async def _snapshot(url: str) -> dict[str, tuple[str, int]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Analysis.id, Analysis.status, Analysis.attempts))
            return {row.id: (row.status, row.attempts) for row in rows}
    finally:
        await engine.dispose()


def snapshot(url: str) -> dict[str, tuple[str, int]]:
    """{analysis id: (status, attempts)} as stored right now."""
    return asyncio.run(_snapshot(url))
