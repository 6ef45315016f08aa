"""Alembic migrations applied programmatically: at start-up and by `jobfirst-ai db upgrade`."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in db/migrations/versions (a test keeps the two equal). A database already there
# is not handed to Alembic at all, which keeps Alembic and Mako (~10 MB) out of a restarted service.
HEAD_REVISION = "0008"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("jobfirst_ai.db") / "migrations"))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or None for an empty database."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(connection: Connection) -> None:
    if current_revision(connection) == HEAD_REVISION:
        return
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


async def is_schema_current(engine: AsyncEngine) -> bool:
    """True when the database is already at HEAD_REVISION."""
    async with engine.connect() as connection:
        return await connection.run_sync(current_revision) == HEAD_REVISION


async def upgrade_database(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (idempotent; concurrent starters serialise on PostgreSQL)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One starter migrates at a time when several instances start together.
            await connection.exec_driver_sql("SELECT pg_advisory_xact_lock(820620)")
        await connection.run_sync(_upgrade)
