"""batch events: the journal of every batch's events, numbered gap-free per batch

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:30:00

Batches that already have events start at seq 1 with their next one: what was sent before
this revision was never numbered, and a client cannot ask for it by number.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No foreign keys to batches: see server/events/models.py (a lock-order deadlock).
    op.create_table(
        "batch_events",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "seq", name=op.f("pk_batch_events")),
    )
    op.create_table(
        "batch_event_counters",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batch_event_counters")),
    )


def downgrade() -> None:
    op.drop_table("batch_event_counters")
    op.drop_table("batch_events")
