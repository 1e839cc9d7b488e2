"""stream owners: which server process each live stream lives in, with its heartbeat

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 14:00:00

Transient rows: written when a publisher's stream goes live, deleted when it ends or when its
process stops saying it is alive. No foreign key to batches (nothing of the record hangs on
them, and a heartbeat must never wait on a batch's row lock).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stream_owners",
        sa.Column("stream_id", sa.String(length=80), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("process_url", sa.String(length=400), nullable=False),
        sa.Column("process_id", sa.String(length=80), nullable=False),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("started_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("viewers", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", name=op.f("pk_stream_owners")),
    )
    op.create_index(op.f("ix_stream_owners_batch_id"), "stream_owners", ["batch_id"], unique=False)
    op.create_index(
        op.f("ix_stream_owners_process_id"), "stream_owners", ["process_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stream_owners_process_id"), table_name="stream_owners")
    op.drop_index(op.f("ix_stream_owners_batch_id"), table_name="stream_owners")
    op.drop_table("stream_owners")
