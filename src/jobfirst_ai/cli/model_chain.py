"""The model chain of a CLI command, metered and budgeted like the service's: every call the command
makes is written to the usage table (so `jobfirst-ai usage` and the API's report include it) and counts
against the same budgets; the queued records are written before the command exits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jobfirst_ai.config import Settings
from jobfirst_ai.db.session import SessionFactory

if TYPE_CHECKING:
    from jobfirst_ai.features.usage.recorder import UsageRecorder
    from jobfirst_ai.llm.budget import BudgetGuard
    from jobfirst_ai.llm.router import Chain

__all__ = ["CommandChain", "command_chain"]


@dataclass(frozen=True)
class CommandChain:
    """The chain (None: the built-in engine alone) and the database sessions it records into."""

    chain: Chain | None
    sessions: SessionFactory | None
    recorder: UsageRecorder | None = None
    budget: BudgetGuard | None = None


@asynccontextmanager
async def command_chain(settings: Settings, *, needs_database: bool = True) -> AsyncIterator[CommandChain]:
    """Open and migrate the database, build the metered chain; on exit, close it and write the records.
    A command that `needs_database` only to record model calls opens none when no model is configured."""
    if not needs_database and not settings.provider_chain():
        yield CommandChain(None, None)
        return
    from jobfirst_ai.db.migrate import upgrade_database
    from jobfirst_ai.db.session import create_engine, create_session_factory
    from jobfirst_ai.db.usage import insert_calls
    from jobfirst_ai.features.usage.budgets import build_budget
    from jobfirst_ai.features.usage.recorder import UsageRecorder
    from jobfirst_ai.redis_link import redis_from_settings

    database = create_engine(settings.resolved_database_url())
    await upgrade_database(database)
    sessions = create_session_factory(database)
    recorder = UsageRecorder(lambda rows: insert_calls(sessions, rows))
    redis = redis_from_settings(settings)
    chain = budget = None
    if settings.provider_chain():
        from jobfirst_ai.llm.router import build_chain  # httpx and the vendors only with a model

        budget = build_budget(settings, sessions, recorder, redis)
        chain = build_chain(settings, sink=recorder, redis=redis, budget=budget)
    recorder.start()
    try:
        yield CommandChain(chain, sessions, recorder, budget)
    finally:
        for backend in chain.backends if chain else []:
            await backend.aclose()
        await recorder.aclose()
        if redis is not None:
            await redis.aclose()
        await database.dispose()
