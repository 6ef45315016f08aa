"""The batch writer of metered calls: queued by the request path, written in batches by one task."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jobfirst_ai.db.session import is_database_unavailable

if TYPE_CHECKING:  # the pricing table loads only with a provider chain, not with the recorder
    from jobfirst_ai.llm.metering import CallRecord

__all__ = ["UsageRecorder", "as_row"]

logger = logging.getLogger(__name__)

PICO = Decimal("1e12")

Writer = Callable[[Sequence[Mapping[str, Any]]], Awaitable[None]]
"""Stores one batch of rows in one transaction (`db.usage.insert_calls` bound to a session factory)."""


def as_row(call: CallRecord) -> dict[str, Any]:
    """A record as `model_calls` column values (costs in units of 1e-12)."""
    row = dataclasses.asdict(call)
    row["cost_usd_pico"] = _pico(row.pop("cost_usd"))
    row["cost_cny_pico"] = _pico(row.pop("cost_cny"))
    return row


def _pico(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount * PICO)


class UsageRecorder:
    """A UsageSink: `record` only appends to a bounded queue, never waits on the database.

    A background task writes the queue every `flush_seconds`, or as soon as `batch_size` records wait,
    in batches of at most `batch_size` (one transaction each). When the queue holds `max_queued` records
    (the database is down or far behind), new records are dropped and counted rather than slowing
    requests; a warning is logged once. A failed write puts its batch back and is retried on the next
    tick. `aclose` writes everything still queued; call it before the database is disposed.
    """

    def __init__(
        self,
        write: Writer,
        *,
        flush_seconds: float = 1.0,
        batch_size: int = 500,
        max_queued: int = 50_000,
    ) -> None:
        self._write = write
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self.max_queued = max_queued
        self.dropped = 0
        self.written = 0
        self._queue: deque[CallRecord] = deque()
        self._is_database_down = False
        self._wake = asyncio.Event()
        self._is_closing = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the background writer (in the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="usage-recorder")

    def record(self, call: CallRecord) -> None:
        """Queue one record; drops it (counted) when the queue is full."""
        if len(self._queue) >= self.max_queued:
            if self.dropped == 0:
                logger.warning(
                    "usage queue full (%d records): dropping records until it drains", self.max_queued
                )
            self.dropped += 1
            return
        self._queue.append(call)
        if len(self._queue) >= self.batch_size:
            self._wake.set()

    @property
    def queued(self) -> int:
        """Records waiting to be written."""
        return len(self._queue)

    async def aclose(self) -> None:
        """Stop the writer after its current batch, then write everything still queued."""
        self._is_closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        while self._queue:
            if not await self._write_batch():
                lost = len(self._queue)
                self._queue.clear()
                logger.error("usage: %d records could not be written at shutdown", lost)

    async def flush(self) -> None:
        """Write what is queued now (stops early if a write fails; the rest waits for the next tick)."""
        while self._queue and await self._write_batch():
            pass

    async def _run(self) -> None:
        while not self._is_closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_seconds)
            self._wake.clear()
            await self.flush()

    async def _write_batch(self) -> bool:
        """Write up to `batch_size` records; on failure put them back and return False."""
        batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
        try:
            await self._write([as_row(call) for call in batch])
        except Exception as error:
            self._queue.extendleft(reversed(batch))
            if not is_database_unavailable(error):
                logger.exception("usage: writing %d records failed; kept for the next attempt", len(batch))
            elif not self._is_database_down:  # an outage: said once, not every second while it lasts
                self._is_database_down = True
                logger.warning(
                    "usage: the database is unavailable; %d records kept until it returns", len(self._queue)
                )
            return False
        if self._is_database_down:
            self._is_database_down = False
            logger.warning("usage: the database is back; writing the kept records")
        self.written += len(batch)
        return True
