"""Mock interview sessions: questions, answers with grades, the report, and a version for concurrent writes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resume_id", sa.String(36)),
        sa.Column("job", sa.JSON),
        sa.Column("questions", sa.JSON, nullable=False),
        sa.Column("turns", sa.JSON, nullable=False),
        sa.Column("current", sa.Integer, nullable=False),
        sa.Column("report", sa.JSON),
        sa.Column("generation", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_interview_sessions_owner_created", "interview_sessions", ["owner", "created_at"])


def downgrade() -> None:
    op.drop_table("interview_sessions")
