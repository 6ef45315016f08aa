"""A bounded pool of workers that claim queued tasks from the database and run them exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import func, select

from jobfirst_ai.db import repositories
from jobfirst_ai.db.models import Analysis
from jobfirst_ai.db.session import SessionFactory, is_database_unavailable

T = TypeVar("T")

# While the database is unreachable, workers poll at most this often (however short TASK_POLL_SECONDS is).
OUTAGE_POLL_SECONDS = 1.0

logger = logging.getLogger(__name__)

# Runs one claimed task: (analysis id, attempt number). It records the outcome itself, fenced by attempt.
TaskHandler = Callable[[str, int], Awaitable[None]]


class TaskRunner:
    """`workers` coroutines claim tasks under a lease; `wake()` cuts the wait after a submission.

    The database row is the queue, so a task accepted with 202 survives any crash: on start-up a single
    SQLite instance re-queues every task left running, and on a shared database expired leases are
    re-queued by whichever instance notices first.
    """

    def __init__(
        self,
        session_factory: SessionFactory,
        handler: TaskHandler,
        *,
        workers: int,
        poll_seconds: float,
        lease_seconds: float,
        is_single_instance: bool,
    ) -> None:
        self._sessions = session_factory
        self._handler = handler
        self._workers = workers
        self._poll_seconds = poll_seconds
        self._lease_seconds = lease_seconds
        self._is_single_instance = is_single_instance
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        self._next_sweep = 0.0
        self._is_database_down = False
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    async def start(self) -> None:
        """Re-queue what a previous process left running, then start the workers."""
        requeued = await self._requeue(only_expired=not self._is_single_instance)
        if requeued:
            logger.info("re-queued %d unfinished task(s) from a previous run", requeued)
        self._loops = [asyncio.create_task(self._work(index)) for index in range(self._workers)]

    @property
    def is_running(self) -> bool:
        """True while every worker loop is alive."""
        return bool(self._loops) and not any(loop.done() for loop in self._loops)

    async def queue_depth(self) -> int:
        """Tasks queued and not yet claimed (one indexed COUNT; for metrics)."""
        query = select(func.count()).select_from(Analysis).where(Analysis.status == repositories.QUEUED)
        async with self._sessions() as session:
            return int((await session.execute(query)).scalar_one())

    def wake(self) -> None:
        """A task was queued: stop waiting for the next poll."""
        self._wake.set()

    async def stop(self, timeout: float = 10.0) -> None:
        """Let running tasks finish (up to `timeout`), then cancel; unfinished ones stay in the queue."""
        self._stopping.set()
        self._wake.set()
        _done, pending = await asyncio.wait(self._loops, timeout=timeout) if self._loops else (set(), set())
        for loop in pending:
            loop.cancel()
        for loop in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        self._loops = []

    async def _requeue(self, *, only_expired: bool) -> int:
        async with self._sessions.begin() as session:
            return await repositories.requeue_running(session, only_expired=only_expired)

    async def _claim(self) -> tuple[str, int] | None:
        async with self._sessions.begin() as session:
            return await repositories.claim_next_task(session, self.worker_id, self._lease_seconds)

    async def _work(self, index: int) -> None:
        while not self._stopping.is_set():
            await self._sweep(index)
            claimed = await self._guarded(self._claim, index)
            if claimed is None:
                await self._idle(index)
                continue
            await self._run(*claimed)

    async def _run(self, analysis_id: str, attempt: int) -> None:
        heartbeat = asyncio.create_task(self._keep_lease(analysis_id, attempt))
        try:
            await self._handler(analysis_id, attempt)
        except Exception:
            # The handler records failures itself; reaching here means even that failed. The lease
            # expires and the task is tried again rather than lost.
            logger.exception("task %s attempt %d crashed", analysis_id, attempt)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _keep_lease(self, analysis_id: str, attempt: int) -> None:
        """Renew the lease every third of it while the attempt runs: a slow task (a model call waiting
        on a busy provider) is never taken over — and paid for twice — by another worker while alive.
        A dead process stops renewing, so its tasks still come back when the lease runs out."""
        while True:
            await asyncio.sleep(self._lease_seconds / 3)
            await self._guarded(lambda: self._extend(analysis_id, attempt), 0)

    async def _extend(self, analysis_id: str, attempt: int) -> bool:
        async with self._sessions.begin() as session:
            return await repositories.extend_lease(session, analysis_id, attempt, self._lease_seconds)

    async def _guarded(self, step: Callable[[], Awaitable[T]], index: int) -> T | None:
        """`step()`, or None when it failed: a database outage is logged once (and its end), any other
        failure every time; the worker lives on either way."""
        try:
            result = await step()
        except Exception as error:
            if not is_database_unavailable(error):
                logger.exception("worker %d: a queue operation failed; retrying", index)
            elif not self._is_database_down:
                self._is_database_down = True
                logger.warning("task workers cannot reach the database (%s); retrying", type(error).__name__)
            return None
        if self._is_database_down:
            self._is_database_down = False
            logger.warning("task workers reached the database again; resuming the queue")
        return result

    async def _idle(self, index: int) -> None:
        poll = max(self._poll_seconds, OUTAGE_POLL_SECONDS) if self._is_database_down else self._poll_seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=poll)
        self._wake.clear()

    async def _sweep(self, index: int) -> None:
        """On a shared database, put expired leases (a dead instance's tasks) back in the queue, at most
        once a poll interval per instance — busy or idle: swept only when idle, they waited for the whole
        queue to drain."""
        now = time.monotonic()
        if self._is_single_instance or now < self._next_sweep:
            return
        self._next_sweep = now + self._poll_seconds
        await self._guarded(lambda: self._requeue(only_expired=True), index)
