"""Stored job postings and the in-memory match index that follows them, on one instance or many.

The database is the source of truth. Every write hands out new revisions under a lock (deletes leave a
tombstone), and each instance applies the rows past the last revision it saw to its own index: at start-up
(all rows; the engine's reading of each posting is stored with it, so nothing is re-read), after its own
writes, and before a match when `sync_seconds` have passed. No write rebuilds the index.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from jobfirst_ai.db import jobs as queries
from jobfirst_ai.db.models import Job
from jobfirst_ai.db.repositories import as_utc, new_id
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.types import PostingFacts, PostingFields
from jobfirst_ai.errors import NotFound
from jobfirst_ai.features.matching.importer import ParsedRow
from jobfirst_ai.features.matching.ranker import PreparedPosting, index_skills, prepare_posting
from jobfirst_ai.features.matching.schemas import (
    ImportReport,
    JobIn,
    JobOut,
    JobPage,
    JobSummary,
    RejectedRow,
)

if TYPE_CHECKING:  # the index's module loads numpy: only a process that matches pays for it
    from jobfirst_ai.engine.match_index import IndexedPosting, MatchIndex

logger = logging.getLogger(__name__)

_SYNC_PAGE = 5000
_IMPORT_CHUNK = 500
_BULK_FROM = 500

Preparer = Callable[[Sequence[JobIn]], Awaitable[list[PreparedPosting]]]


class JobCatalog:
    """Postings in the database, mirrored into a match index; also the index's `PostingSource`."""

    def __init__(
        self, sessions: SessionFactory, dictionary: SkillDictionary, *, sync_seconds: float = 1.0
    ) -> None:
        self.sessions = sessions
        self.dictionary = dictionary
        self._index: MatchIndex | None = None
        self._sync_seconds = sync_seconds
        self._seen = 0
        self._synced_at = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def index(self) -> MatchIndex:
        """The match index (created, and numpy loaded, on first use: a service that never matches is ~20 MB
        lighter)."""
        if self._index is None:
            from jobfirst_ai.engine.match_index import MatchIndex

            self._index = MatchIndex()
        return self._index

    @property
    def size(self) -> int:
        """Live postings in the index."""
        return len(self._index) if self._index is not None else 0

    async def refresh(self, *, force: bool = False) -> int:
        """Apply the rows written since the last refresh (by any instance); returns how many."""
        if not force and time.monotonic() - self._synced_at < self._sync_seconds:
            return 0
        async with self._lock:
            applied = 0
            while True:
                async with self.sessions() as session:
                    rows = await queries.changes_since(session, self._seen, _SYNC_PAGE)
                self._apply(rows)
                applied += len(rows)
                if rows:
                    self._seen = rows[-1].revision
                if len(rows) < _SYNC_PAGE:
                    break
            self._synced_at = time.monotonic()
            return applied

    def _apply(self, rows: Sequence[Any]) -> None:
        """Rows in revision order; long runs of upserts go in through `add_many` (~3× faster than `add`,
        but it ends in a compaction, so a handful of rows is added one by one)."""
        if not rows:
            return
        from jobfirst_ai.engine.match_index import IndexedPosting

        pending: list[IndexedPosting] = []
        for row in rows:
            if row.is_deleted:
                self._add(pending)
                pending = []
                if self._index is not None:
                    self._index.remove(row.id)
                continue
            facts = PostingFacts.model_validate(row.facts)
            fields = PostingFields(row.location, tuple(row.tags or ()), row.salary_min, row.salary_max)
            pending.append(IndexedPosting(row.id, row.terms, index_skills(facts), fields))
        self._add(pending)

    def _add(self, postings: Sequence[IndexedPosting]) -> None:
        if len(postings) >= _BULK_FROM:
            self.index.add_many(postings)
            return
        for posting in postings:
            self.index.add(*posting)

    async def prepare(self, items: Sequence[JobIn]) -> list[PreparedPosting]:
        """The engine's reading of each posting (off the event loop: ~1–3 ms of CPU each)."""
        return await asyncio.to_thread(self.prepare_now, items)

    def prepare_now(self, items: Sequence[JobIn]) -> list[PreparedPosting]:
        """`prepare` on the calling thread (bulk imports run it in worker processes)."""
        return [prepare_posting(item, item.id or new_id(), self.dictionary) for item in items]

    async def store(self, items: Sequence[JobIn], prepared: Sequence[PreparedPosting]) -> list[str]:
        """Insert or replace postings in one transaction, then bring the index up to date."""
        async with self.sessions.begin() as session:
            revision = await queries.lock_for_writes(session)
            rows = [
                _row(item, posting, revision + offset + 1)
                for offset, (item, posting) in enumerate(zip(items, prepared, strict=True))
            ]
            await queries.upsert_jobs(session, rows)
        await self.refresh(force=True)
        return [posting.key for posting in prepared]

    async def import_rows(
        self,
        rows: Iterable[ParsedRow],
        *,
        is_strict: bool = False,
        prepare: Preparer | None = None,
        progress: Callable[[int], None] = lambda read: None,
    ) -> ImportReport:
        """Store every valid row in one transaction (none when `is_strict` and any row was rejected)."""
        started = time.perf_counter()
        prepare = prepare or self.prepare
        rejected: list[RejectedRow] = []
        imported = 0
        try:
            async with self.sessions.begin() as session:
                revision = await queries.lock_for_writes(session)
                for chunk, read in _chunks(rows, rejected):
                    prepared = await prepare(chunk)
                    first = revision + imported + 1
                    values = [
                        _row(item, posting, first + offset)
                        for offset, (item, posting) in enumerate(zip(chunk, prepared, strict=True))
                    ]
                    await queries.upsert_jobs(session, values)
                    imported += len(chunk)
                    progress(read)
                if imported == 0 or (is_strict and rejected):
                    raise _Abandoned
        except _Abandoned:
            return ImportReport(imported=0, rejected=rejected, stored=False, elapsed_ms=_since(started))
        await self.refresh(force=True)
        return ImportReport(imported=imported, rejected=rejected, stored=True, elapsed_ms=_since(started))

    async def create(self, items: Sequence[JobIn]) -> list[JobOut]:
        """Store new (or replace existing) postings and return them as stored."""
        keys = await self.store(items, await self.prepare(items))
        async with self.sessions() as session:
            stored = await queries.find_jobs(session, keys)
        return [job_out(stored[key]) for key in keys]

    async def replace(self, job_id: str, item: JobIn) -> JobOut:
        """Replace a stored posting (404 if there is none)."""
        await self.get(job_id)
        item = item.model_copy(update={"id": job_id})
        await self.store([item], await self.prepare([item]))
        return await self.get(job_id)

    async def delete(self, job_id: str) -> None:
        """Delete a posting: a tombstone every instance's index will see."""
        async with self.sessions.begin() as session:
            revision = await queries.lock_for_writes(session)
            found = await queries.mark_deleted(session, job_id, revision + 1)
        if not found:
            raise NotFound(f"没有这个职位 / No job posting with id {job_id!r}.")
        await self.refresh(force=True)

    async def get(self, job_id: str) -> JobOut:
        """One stored posting."""
        async with self.sessions() as session:
            job = await queries.find_job(session, job_id)
        if job is None:
            raise NotFound(f"没有这个职位 / No job posting with id {job_id!r}.")
        return job_out(job)

    async def page(self, *, offset: int, limit: int, location: str | None, query: str | None) -> JobPage:
        """A page of postings, newest first."""
        async with self.sessions() as session:
            jobs, total = await queries.list_jobs(
                session, offset=offset, limit=limit, location=location, query=query
            )
        return JobPage(items=[job_out(job) for job in jobs], total=total, offset=offset, limit=limit)

    async def postings(self, keys: Sequence[str]) -> Mapping[str, tuple[JobSummary, PostingFacts]]:
        """Summaries and facts of retrieved postings (`PostingSource`)."""
        if not keys:
            return {}
        columns = (
            Job.id,
            Job.title,
            Job.company,
            Job.location,
            Job.salary_min,
            Job.salary_max,
            Job.tags,
            Job.facts,
        )
        async with self.sessions() as session:
            query = select(*columns).where(Job.id.in_(keys), Job.is_deleted.is_(False))
            rows = (await session.execute(query)).all()
        return {row.id: (_summary(row), PostingFacts.model_validate(row.facts)) for row in rows}


class _Abandoned(Exception):
    """Rolls an import's transaction back."""


def _chunks(rows: Iterable[ParsedRow], rejected: list[RejectedRow]) -> Iterator[tuple[list[JobIn], int]]:
    """Accepted postings in slices of `_IMPORT_CHUNK`, with how many rows were read so far."""
    chunk: list[JobIn] = []
    read = 0
    for row in rows:
        read += 1
        if row.job is not None:
            chunk.append(row.job)
        elif row.rejected is not None:
            rejected.append(row.rejected)
        if len(chunk) >= _IMPORT_CHUNK:
            yield chunk, read
            chunk = []
    if chunk:
        yield chunk, read


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _row(item: JobIn, posting: PreparedPosting, revision: int) -> dict[str, Any]:
    values = item.model_dump(exclude={"id"})
    return {
        **values,
        "id": posting.key,
        "facts": posting.facts.model_dump(),
        "terms": posting.terms,
        "revision": revision,
    }


def _summary(row: Any) -> JobSummary:
    return JobSummary(
        id=row.id,
        title=row.title,
        company=row.company,
        location=row.location,
        salary_min=row.salary_min,
        salary_max=row.salary_max,
        tags=list(row.tags or ()),
    )


def job_out(job: Job) -> JobOut:
    """The API view of a stored posting: given values, else the engine's reading."""
    facts = PostingFacts.model_validate(job.facts)
    return JobOut(
        id=job.id,
        title=job.title,
        company=job.company,
        location=job.location,
        description=job.description,
        required_skills=facts.required_skills,
        preferred_skills=facts.preferred_skills,
        years_min=facts.years_min,
        education=facts.education_level,
        salary_min=job.salary_min,
        salary_max=job.salary_max,
        tags=list(job.tags or ()),
        language=facts.language,
        revision=job.revision,
        created_at=as_utc(job.created_at) or job.created_at,
        updated_at=as_utc(job.updated_at) or job.updated_at,
    )
