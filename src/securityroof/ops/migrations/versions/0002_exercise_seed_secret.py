"""Exercise seeds kept secret by the server: the stream seed and its commitment salt.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exercises") as batch:
        batch.add_column(sa.Column("stream_seed", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("seed_salt", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exercises") as batch:
        batch.drop_column("seed_salt")
        batch.drop_column("stream_seed")
