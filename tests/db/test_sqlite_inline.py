"""SQLite's loop-side calls (db/sqlite.py): inside `inline_sqlite()` statements run on the loop's thread,
outside on aiosqlite's worker; a write lock held by someone else is waited for on the worker thread, with
the loop free meanwhile; other errors surface as they are."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from jobfirst_ai.db.session import create_engine
from jobfirst_ai.db.sqlite import LoopSideConnection, inline_sqlite


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with database.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield database
    await database.dispose()


async def _driver(engine: AsyncEngine) -> LoopSideConnection:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
    assert isinstance(driver, LoopSideConnection)
    return driver


async def _thread_of_a_call(engine: AsyncEngine) -> int:
    """The id of the thread that ran sqlite3's function for one statement."""
    seen: list[int] = []
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        sqlite_connection = raw.driver_connection._connection  # type: ignore[union-attr]
        sqlite_connection.create_function("thread_id", 0, lambda: seen.append(threading.get_ident()) or 0)
        await connection.execute(text("SELECT thread_id()"))
    return seen[0]


async def test_inside_inline_sqlite_calls_run_on_the_loops_thread(engine: AsyncEngine) -> None:
    loop_thread = threading.get_ident()
    assert await _thread_of_a_call(engine) != loop_thread  # outside: aiosqlite's worker thread
    with inline_sqlite():
        assert await _thread_of_a_call(engine) == loop_thread
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (id, body) VALUES (1, '你好 hello')"))
    driver = await _driver(engine)
    assert driver.inline_calls > 0
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT body FROM notes"))).scalar_one() == "你好 hello"


async def test_errors_other_than_a_lock_surface_inline(engine: AsyncEngine) -> None:
    with inline_sqlite():
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (id, body) VALUES (1, 'a')"))
        with pytest.raises(exc.IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes (id, body) VALUES (1, 'b')"))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 1


async def test_a_held_write_lock_is_waited_for_off_the_loop(engine: AsyncEngine, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "inline.db", check_same_thread=False, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's import, say: holds the write lock
    other.execute("INSERT INTO notes (id, body) VALUES (7, 'theirs')")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> None:
        with inline_sqlite():
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes (id, body) VALUES (8, 'ours')"))

    beat = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.5)
    assert not writing.done()  # waiting for the lock ...
    assert ticks >= 20  # ... while the loop keeps running
    other.execute("COMMIT")
    await asyncio.wait_for(writing, timeout=10)
    beat.cancel()
    other.close()
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT id FROM notes ORDER BY id"))).scalars().all()
    assert rows == [7, 8]
    # Back on the loop's thread for the next inline statement, which must not wait (busy timeout 0 there).
    with inline_sqlite():
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 2
