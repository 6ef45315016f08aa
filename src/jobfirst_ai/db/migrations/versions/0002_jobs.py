"""Job postings for matching, with the engine's reading of each and a revision for index sync.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("company", sa.String(300)),
        sa.Column("location", sa.String(200)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("required_skills", sa.JSON, nullable=False),
        sa.Column("preferred_skills", sa.JSON, nullable=False),
        sa.Column("years_min", sa.Float),
        sa.Column("education", sa.String(16)),
        sa.Column("salary_min", sa.Integer),
        sa.Column("salary_max", sa.Integer),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("is_deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_jobs_revision", "jobs", ["revision"])


def downgrade() -> None:
    op.drop_table("jobs")
