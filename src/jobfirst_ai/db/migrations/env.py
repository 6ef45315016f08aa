"""Alembic environment: runs on the connection handed over by `jobfirst_ai.db.migrate`."""

from __future__ import annotations

from alembic import context

from jobfirst_ai.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `jobfirst-ai db upgrade`, which provides the connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
