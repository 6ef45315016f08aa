"""The async engine and session factory, built once from settings; SQLite gets WAL and a busy timeout.
Also the one test of "the database is unreachable right now" (answer 503, retry) and the start-up wait."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import traceback
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from jobfirst_ai.db import sqlite
from jobfirst_ai.errors import DatabaseUnavailable

SessionFactory = async_sessionmaker[AsyncSession]

logger = logging.getLogger(__name__)

# A new PostgreSQL connection that gets no answer fails after this long instead of asyncpg's 60 s.
CONNECT_TIMEOUT_SECONDS = 5.0
# SQLSTATE classes of an outage, not of a wrong statement: connection exception (08), insufficient
# resources such as too many connections (53), server shutting down or starting up (57P01-57P03).
_OUTAGE_SQLSTATES = ("08", "53", "57P")
# A bare OSError counts only when the database layer raised it (asyncpg lets socket errors through).
_DRIVER_MODULES = ("sqlalchemy.", "asyncpg.", "aiosqlite.")


def create_engine(url: str) -> AsyncEngine:
    """An async engine for `url`; creates the SQLite file's directory on first start."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(
            url,
            pool_size=5,
            max_overflow=5,
            pool_pre_ping=True,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # One connection per process: SQLite has one writer at a time, and with several connections the losers
    # of the write lock wait in SQLite's busy handler, whose growing sleeps starve some of them for seconds
    # (10 concurrent analyses: p99 1.15 s, max 4 s). Queued for the pool instead, they take turns in order
    # (p99 0.19 s, max 0.29 s, throughput -7%); p50 under saturation rises (27 -> 100 ms) as waits are shared.
    options: dict[str, Any] = {"pool_size": 1, "max_overflow": 0}
    if parsed.query:  # URL parameters (mode=ro, uri=true, …) are aiosqlite's to apply
        options["connect_args"] = {"timeout": 30}
    else:  # hot paths may run their statements on the loop's thread (db/sqlite.py)
        database = parsed.database or ":memory:"
        options["async_creator"] = lambda: sqlite.connect(database)
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while a worker writes; the busy timeout turns lock contention into waiting.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    """True when the database is a SQLite file (single instance)."""
    return engine.dialect.name == "sqlite"


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached now (refused, dropped, timed out, restarting,
    out of connections) rather than that a statement was wrong: the caller answers 503 and retries later."""
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.OperationalError | exc.InterfaceError):
            return True
        return _sqlstate(error).startswith(_OUTAGE_SQLSTATES)
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free: the database is stuck
        return True
    return isinstance(error, OSError) and _raised_by_driver(error)


def _sqlstate(error: exc.DBAPIError) -> str:
    return str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None) or "")


def _raised_by_driver(error: BaseException) -> bool:
    return any(
        str(frame.f_globals.get("__name__", "")).startswith(_DRIVER_MODULES)
        for frame, _line in traceback.walk_tb(error.__traceback__)
    )


async def wait_for_database(engine: AsyncEngine, wait_seconds: float, interval: float = 1.0) -> None:
    """Connect once, retrying an unreachable database for up to `wait_seconds` (a database that starts
    alongside the service); then DatabaseUnavailable naming host and port, never the password. A SQLite
    file has nothing to wait for."""
    if is_sqlite(engine):
        return
    deadline = time.monotonic() + wait_seconds
    for attempt in itertools.count():
        try:
            async with engine.connect():
                return
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            if time.monotonic() + interval > deadline:
                raise DatabaseUnavailable(_unreachable_message(engine, wait_seconds, error)) from error
            if attempt == 0:
                logger.warning(
                    "database at %s unreachable (%s); waiting up to %g s",
                    database_address(engine),
                    type(error).__name__,
                    wait_seconds,
                )
        await asyncio.sleep(interval)


def _unreachable_message(engine: AsyncEngine, wait_seconds: float, error: BaseException) -> str:
    return (
        f"the database at {database_address(engine)} (DATABASE_URL) did not answer within {wait_seconds:g} s "
        f"(DATABASE_STARTUP_WAIT_SECONDS): {type(error).__name__}"
    )


def database_address(engine: AsyncEngine) -> str:
    """host:port of the database, or the SQLite file: safe to show (never the password)."""
    url = engine.url
    return f"{url.host or 'localhost'}:{url.port or 5432}" if url.host or url.port else str(url.database)
