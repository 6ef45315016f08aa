"""Queries over job postings: revisioned upserts, tombstones, pages, and the change feed the index reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfirst_ai.db.models import Job, utc_now

# Writers of postings take this lock on PostgreSQL so revisions are handed out in commit order: an instance
# that has read every row up to revision r can never later miss a row committed with a smaller one.
_WRITE_LOCK = 820621
# Upserts go in slices so one statement stays well under either database's bound-parameter limit.
_SLICE = 500
_CHANGE_COLUMNS = (
    Job.id,
    Job.revision,
    Job.is_deleted,
    Job.facts,
    Job.terms,
    Job.location,
    Job.tags,
    Job.salary_min,
    Job.salary_max,
)
_UPDATED_ON_CONFLICT = tuple(
    column.name for column in Job.__table__.columns if column.name not in ("id", "created_at")
)


async def lock_for_writes(session: AsyncSession) -> int:
    """Serialise posting writers (PostgreSQL) and return the newest revision handed out so far."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_WRITE_LOCK)))
    newest = await session.scalar(select(func.max(Job.revision)))
    return int(newest or 0)


async def upsert_jobs(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert postings or replace them (a tombstone with the same id comes back to life)."""
    # The dialects' INSERT … ON CONFLICT constructs are imported here: ~3 MB a service that never writes
    # a posting need not hold.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        insert: Any = postgres_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        insert = sqlite_insert
    now = utc_now()
    for start in range(0, len(rows), _SLICE):
        values = [
            {**row, "is_deleted": False, "updated_at": now, "created_at": now}
            for row in rows[start : start + _SLICE]
        ]
        statement = insert(Job).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[Job.id],
            set_={name: statement.excluded[name] for name in _UPDATED_ON_CONFLICT},
        )
        await session.execute(statement)


async def mark_deleted(session: AsyncSession, job_id: str, revision: int) -> bool:
    """Turn a live posting into a tombstone at `revision`; False when there was none."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.is_deleted == false())
        .values(is_deleted=True, revision=revision, updated_at=utc_now(), terms={}, description="")
    )
    return bool(getattr(result, "rowcount", 0))


async def find_job(session: AsyncSession, job_id: str) -> Job | None:
    """The live posting with this id."""
    return (await find_jobs(session, [job_id])).get(job_id)


async def find_jobs(session: AsyncSession, job_ids: Sequence[str]) -> dict[str, Job]:
    """The live postings with these ids, by id (one query)."""
    query = select(Job).where(Job.id.in_(job_ids), Job.is_deleted == false())
    return {job.id: job for job in (await session.execute(query)).scalars()}


async def list_jobs(
    session: AsyncSession, *, offset: int, limit: int, location: str | None = None, query: str | None = None
) -> tuple[list[Job], int]:
    """One page of live postings, newest first, and how many match in all."""
    conditions: list[Any] = [Job.is_deleted == false()]
    if location:
        conditions.append(Job.location.ilike(f"%{_escape(location)}%", escape="\\"))
    if query:
        pattern = f"%{_escape(query)}%"
        conditions.append(or_(Job.title.ilike(pattern, escape="\\"), Job.company.ilike(pattern, escape="\\")))
    total = await session.scalar(select(func.count()).select_from(Job).where(*conditions))
    page = select(Job).where(*conditions).order_by(Job.revision.desc(), Job.id).offset(offset).limit(limit)
    return list((await session.execute(page)).scalars()), int(total or 0)


async def changes_since(session: AsyncSession, revision: int, limit: int) -> Sequence[Row[Any]]:
    """Rows written after `revision` (tombstones included), oldest first: what the match index needs."""
    query = select(*_CHANGE_COLUMNS).where(Job.revision > revision).order_by(Job.revision).limit(limit)
    return (await session.execute(query)).all()


async def load_embeddings(session: AsyncSession, keys: Sequence[str], model: str) -> dict[str, bytes]:
    """Stored embeddings of these live postings made by `model`."""
    query = select(Job.id, Job.embedding).where(
        Job.id.in_(keys), Job.embedding_model == model, Job.embedding.is_not(None), Job.is_deleted == false()
    )
    return {row.id: row.embedding for row in (await session.execute(query)).all()}


async def posting_texts(session: AsyncSession, keys: Sequence[str]) -> dict[str, str]:
    """Title and description of these live postings, as one text each (what embeddings are made from)."""
    query = select(Job.id, Job.title, Job.description).where(Job.id.in_(keys), Job.is_deleted == false())
    return {row.id: f"{row.title}\n{row.description}" for row in (await session.execute(query)).all()}


async def store_embeddings(session: AsyncSession, vectors: dict[str, bytes], model: str) -> None:
    """Cache embeddings on their postings (no revision: the match index does not hold them)."""
    for key, vector in vectors.items():
        await session.execute(
            update(Job).where(Job.id == key).values(embedding=vector, embedding_model=model)
        )


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
