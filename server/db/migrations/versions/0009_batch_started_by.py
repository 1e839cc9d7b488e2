"""batch started_by: who started a batch, beside who created it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:10:00

Batches started before this revision take their starter from the audit trail's
`batch.started` entry, the evidence of the start.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_by", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_batches_started_by_users"), "users", ["started_by"], ["id"]
        )
    op.execute(
        "UPDATE batches SET started_by = ("
        " SELECT a.actor_id FROM audit_entries a JOIN users u ON u.id = a.actor_id"
        " WHERE a.batch_id = batches.id AND a.action = 'batch.started'"
        " ORDER BY a.seq LIMIT 1)"
        " WHERE started_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_batches_started_by_users"), type_="foreignkey")
        batch_op.drop_column("started_by")
