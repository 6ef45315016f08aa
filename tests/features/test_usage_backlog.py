"""Usage records metered while PostgreSQL is unreachable wait in the recorder's bounded backlog and are all
written once it answers again (the real server, reached through a relay the test cuts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.models import ModelCall
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.db.usage import insert_calls
from jobfirst_ai.features.usage.recorder import UsageRecorder
from tests.features.test_usage_recorder import call
from tests.support.postgres import POSTGRES_URL, reset_postgres
from tests.support.relay import Relay, relay_to


@pytest.fixture
def fresh_postgres() -> None:
    reset_postgres()  # synchronous (asyncio.run): before the test's event loop runs


@pytest.fixture
async def relayed(fresh_postgres: None) -> AsyncIterator[tuple[Relay, AsyncEngine]]:
    parsed = urlparse(POSTGRES_URL)
    with relay_to(parsed.hostname or "127.0.0.1", parsed.port or 5432) as relay:
        engine = create_engine(
            POSTGRES_URL.replace(parsed.netloc, f"{parsed.username}@127.0.0.1:{relay.port}")
        )
        await upgrade_database(engine)
        try:
            yield relay, engine
        finally:
            await engine.dispose()


async def _stored(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(ModelCall))).scalar_one())


async def test_records_queued_during_an_outage_are_written_after_it(
    relayed: tuple[Relay, AsyncEngine],
) -> None:
    relay, engine = relayed
    recorder = UsageRecorder(lambda rows: insert_calls(create_session_factory(engine), rows), batch_size=4)

    relay.cut("refuse")
    for _ in range(10):
        recorder.record(call())
    await recorder.flush()  # fails: the batch goes back to the backlog
    assert (recorder.queued, recorder.written, recorder.dropped) == (10, 0, 0)

    relay.resume()
    await recorder.flush()

    assert (recorder.queued, recorder.written, recorder.dropped) == (0, 10, 0)
    assert await _stored(engine) == 10
