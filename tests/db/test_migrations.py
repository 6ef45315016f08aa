"""Migrations: the shortcut revision matches Alembic's head, and upgrading twice is harmless."""

from __future__ import annotations

import asyncio

from alembic.script import ScriptDirectory

from jobfirst_ai.db.migrate import HEAD_REVISION, alembic_config, upgrade_database
from jobfirst_ai.db.session import create_engine


def test_head_revision_constant_matches_the_migrations() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    async def scenario() -> list[str]:
        engine = create_engine(database_url)
        try:
            await upgrade_database(engine)
            await upgrade_database(engine)
            async with engine.connect() as connection:
                rows = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                return [row[0] for row in rows]
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) == [HEAD_REVISION]
