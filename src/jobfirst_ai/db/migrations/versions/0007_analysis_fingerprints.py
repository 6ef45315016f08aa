"""Analysis fingerprints: the same text, options and answering configuration reuse a stored analysis.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64)))
    op.create_index("ix_analyses_owner_fingerprint", "analyses", ["owner", "fingerprint"])


def downgrade() -> None:
    op.drop_index("ix_analyses_owner_fingerprint", table_name="analyses")
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("fingerprint")
