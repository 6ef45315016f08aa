"""Reading postings in worker processes, for bulk imports: the engine is pure Python, so threads would
share one core; processes use them all."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from jobfirst_ai.engine.skills import SkillDictionary, load_skill_dictionary
from jobfirst_ai.features.matching.ranker import PreparedPosting, prepare_posting
from jobfirst_ai.features.matching.schemas import JobIn

_worker_dictionary: list[SkillDictionary] = []  # one per worker process, loaded by its initializer


def _load_dictionary() -> None:
    _worker_dictionary.append(load_skill_dictionary())


def _prepare(items: Sequence[JobIn], keys: Sequence[str]) -> list[PreparedPosting]:
    return [prepare_posting(item, key, _worker_dictionary[0]) for item, key in zip(items, keys, strict=True)]


class ParallelPreparer:
    """`JobCatalog.import_rows`'s `prepare`, spread over worker processes (use as a context manager)."""

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers or os.cpu_count() or 1)
        # spawn, not fork: this process runs threads (the database driver's), and forking them is unsafe
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(self._workers, mp_context=context, initializer=_load_dictionary)

    def __enter__(self) -> ParallelPreparer:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(cancel_futures=True)

    async def __call__(self, items: Sequence[JobIn]) -> list[PreparedPosting]:
        """The engine's reading of `items`, in order, keys fixed before the work is split."""
        from jobfirst_ai.db.repositories import new_id

        keys = [item.id or new_id() for item in items]
        size = -(-len(items) // self._workers)
        loop = asyncio.get_running_loop()
        parts = [
            loop.run_in_executor(
                self._pool, _prepare, items[start : start + size], keys[start : start + size]
            )
            for start in range(0, len(items), size)
        ]
        return [posting for part in await asyncio.gather(*parts) for posting in part]
