"""The posting catalog on each database: restarts reload the index; instances see each other's writes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine import tokens
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.features.matching import ranker
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.importer import parse_rows
from jobfirst_ai.features.matching.schemas import JobIn

FIXTURES = Path(__file__).parent.parent / "fixtures"
POSTINGS = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]
DICTIONARY = load_skill_dictionary()
QUERY = tokens.term_counts("Java Spring Boot MySQL 微服务 后端开发")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade_database(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def instance(database: AsyncEngine) -> Callable[[], JobCatalog]:
    """A new service instance's catalog on the shared database (no sync delay)."""
    return lambda: JobCatalog(create_session_factory(database), DICTIONARY, sync_seconds=0)


def _keys(catalog: JobCatalog) -> list[str]:
    return [hit.key for hit in catalog.index.search(QUERY, ["Java"], limit=5)]


async def test_a_restart_rebuilds_the_same_index_without_reading_any_text(
    instance: Callable[[], JobCatalog], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = instance()
    await first.create([JobIn.model_validate(posting) for posting in POSTINGS])
    before = _keys(first)

    def no_reading(*args: object, **kwargs: object) -> dict[str, int]:
        raise AssertionError("a restart must not tokenise postings again")

    monkeypatch.setattr(ranker, "term_counts", no_reading)
    monkeypatch.setattr(ranker, "read_posting", no_reading)
    restarted = instance()
    await restarted.refresh(force=True)

    assert restarted.size == 13
    assert _keys(restarted) == before and before[0] == "zh-backend-java"


async def test_every_instance_sees_another_instance_s_writes_and_deletes(
    instance: Callable[[], JobCatalog],
) -> None:
    writer, reader = instance(), instance()
    await reader.refresh(force=True)
    assert reader.size == 0

    await writer.create([JobIn.model_validate(posting) for posting in POSTINGS[:3]])
    await reader.refresh()
    assert reader.size == 3

    await writer.delete(POSTINGS[0]["id"])
    changed = {**POSTINGS[1], "title": "Senior frontend developer"}
    await writer.replace(POSTINGS[1]["id"], JobIn.model_validate(changed))
    await reader.refresh()

    assert reader.size == 2 and POSTINGS[0]["id"] not in reader.index
    assert (await reader.postings([POSTINGS[1]["id"]]))[POSTINGS[1]["id"]][
        0
    ].title == "Senior frontend developer"


async def test_concurrent_writers_on_two_instances_lose_nothing(instance: Callable[[], JobCatalog]) -> None:
    first, second, reader = instance(), instance(), instance()
    half = len(POSTINGS) // 2
    batches = (POSTINGS[:half], POSTINGS[half:])

    await asyncio.gather(
        *(
            catalog.create([JobIn.model_validate(posting) for posting in batch])
            for catalog, batch in zip((first, second), batches, strict=True)
        )
    )
    await reader.refresh()

    assert reader.size == len(POSTINGS)
    revisions = [
        job.revision for job in (await reader.page(offset=0, limit=50, location=None, query=None)).items
    ]
    assert len(set(revisions)) == len(POSTINGS)


async def test_an_import_stores_valid_rows_and_reports_the_rest(instance: Callable[[], JobCatalog]) -> None:
    catalog = instance()
    lines = (FIXTURES / "jobs_bad.csv").read_text(encoding="utf-8").splitlines(keepends=True)

    report = await catalog.import_rows(parse_rows(lines, "csv"))

    assert report.stored and report.imported == 2 and len(report.rejected) == 3
    assert catalog.size == 2
