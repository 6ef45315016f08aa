"""Cached embeddings of job postings for the optional semantic score part.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("embedding", sa.LargeBinary))
        batch.add_column(sa.Column("embedding_model", sa.String(128)))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("embedding_model")
        batch.drop_column("embedding")
