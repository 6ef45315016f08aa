"""Alembic migrations applied programmatically: at start-up and by `jobfirst-ai db upgrade`."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(files("jobfirst_ai.db") / "migrations"))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def upgrade_database(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (idempotent; concurrent starters serialise on PostgreSQL)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One starter migrates at a time when several instances start together.
            await connection.exec_driver_sql("SELECT pg_advisory_xact_lock(820620)")
        await connection.run_sync(_upgrade)
