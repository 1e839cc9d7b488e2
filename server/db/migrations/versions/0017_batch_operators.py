"""batch operators: who started or performed a step of each batch, for the operator filter

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 19:30:00

The batch list narrowed to an operator ("started the batch, or performed one of its steps")
was an OR with an EXISTS over step records, which PostgreSQL planned over every batch of
that operator (about 120 ms a page at 20,000 batches). One row per (person, batch) with the
batch's creation time makes it one range of ix_batch_operators_user_created in list order.
Filled here from the batches' starters and the performers of their steps.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL = """
INSERT INTO batch_operators (user_id, batch_id, created_at)
SELECT started_by, id, created_at FROM batches WHERE started_by IS NOT NULL
UNION
SELECT step_records.completed_by, batches.id, batches.created_at
FROM step_records JOIN batches ON batches.id = step_records.batch_id
WHERE step_records.completed_by IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        "batch_operators",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_batch_operators_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_batch_operators_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "batch_id", name=op.f("pk_batch_operators")),
    )
    op.create_index(
        "ix_batch_operators_user_created",
        "batch_operators",
        ["user_id", "created_at", "batch_id"],
        unique=False,
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_index("ix_batch_operators_user_created", table_name="batch_operators")
    op.drop_table("batch_operators")
