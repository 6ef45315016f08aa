"""SQLite's connection for the service: the hot paths' short statements run on the event loop's thread.

aiosqlite runs every call — each cursor, execute, fetch, commit — on its worker thread and wakes the loop
with the result: a chat turn's three INSERTs and commit were ~11 such round trips, and under load each
one also fought the loop for the GIL (in-process, 10 concurrent chats: ~2 ms of CPU a request for the
save). Inside `inline_sqlite()` the calls run at once on the loop's thread instead: a few hundred
microseconds of SQLite for an indexed write or read, which is less than the round trips cost.

What must never happen on the loop's thread is waiting: for another process's write lock (the CLI's
import, a second instance). So inline calls run with a busy timeout of zero, and one that finds the
database locked is handed, unchanged, to the worker thread, where the usual 30 s busy timeout applies
(a statement refused with SQLITE_BUSY did nothing, so running it again is safe). Long statements — a
month's usage summary, the match index's read of every posting — stay on the worker thread: only code
that knows its statements are short and indexed enters `inline_sqlite()`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import aiosqlite

__all__ = ["LoopSideConnection", "connect", "inline_sqlite"]

T = TypeVar("T")
_INLINE: ContextVar[bool] = ContextVar("jobfirst_sqlite_inline", default=False)
BUSY_TIMEOUT_MS = 30_000


@contextmanager
def inline_sqlite() -> Iterator[None]:
    """SQLite calls made inside run on the event loop's thread (short, indexed statements only)."""
    token = _INLINE.set(True)
    try:
        yield
    finally:
        _INLINE.reset(token)


class LoopSideConnection(aiosqlite.Connection):
    """aiosqlite's connection, whose calls inside `inline_sqlite()` run on the caller's thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._busy_timeout_ms = BUSY_TIMEOUT_MS
        self.inline_calls = 0  # how many calls ran on the loop's thread (tests, curiosity)

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        connection = self._connection
        if _INLINE.get() and self._running and connection is not None:
            try:
                self._wait_for_locks(connection, 0)
                result = fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
            else:
                self.inline_calls += 1
                return result
        return await super()._execute(self._patiently, fn, *args, **kwargs)  # type: ignore[no-untyped-call,no-any-return]

    def _patiently(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        # On the worker thread: waiting for a lock is fine here.
        if self._connection is not None:
            self._wait_for_locks(self._connection, BUSY_TIMEOUT_MS)
        return fn(*args, **kwargs)

    def _wait_for_locks(self, connection: sqlite3.Connection, milliseconds: int) -> None:
        # The connection is used by one caller at a time (the pool hands it out whole), so the setting
        # changes only where inline and worker-thread calls meet.
        if self._busy_timeout_ms != milliseconds:
            connection.execute(f"PRAGMA busy_timeout={milliseconds}")
            self._busy_timeout_ms = milliseconds


async def connect(database: str) -> LoopSideConnection:
    """A connection to the SQLite file `database` (or ":memory:"), its worker thread started."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    connection = LoopSideConnection(connector)
    connection._thread.daemon = True  # as SQLAlchemy's dialect does: never hold up interpreter exit
    await connection
    return connection
