"""Metered model calls (usage, latency, outcome and cost of every call).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_calls",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(64)),
        sa.Column("feature", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("cache_hit_tokens", sa.Integer, nullable=False),
        sa.Column("cache_miss_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("reasoning_tokens", sa.Integer, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("is_cache_hit", sa.Boolean, nullable=False),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.Column("is_estimated", sa.Boolean, nullable=False),
        sa.Column("cost_usd_pico", sa.BigInteger),
        sa.Column("cost_cny_pico", sa.BigInteger),
    )
    op.create_index("ix_model_calls_at", "model_calls", ["at"])
    op.create_index("ix_model_calls_user_at", "model_calls", ["user", "at"])


def downgrade() -> None:
    op.drop_table("model_calls")
