"""redlines: in-run changes of one batch's procedure, and the one a batch follows

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 19:40:00

A redline stores the whole definition the batch follows once it is approved; the approved
procedure version is never changed. `batches.redline_hash` names the approved redline in
force (NULL: the pinned version), so reading a batch's definition stays one lookup.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import server.db.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "redlines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("base_hash", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("definition", _DOCUMENT, nullable=False),
        sa.Column("diff", _DOCUMENT, nullable=False),
        sa.Column("proposed_by", sa.String(length=36), nullable=False),
        sa.Column("proposed_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_at", server.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("signature_id", sa.String(length=36), nullable=True),
        sa.Column("deviation_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_redlines_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["users.id"], name=op.f("fk_redlines_proposed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_redlines_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"], ["signatures.id"], name=op.f("fk_redlines_signature_id_signatures")
        ),
        sa.ForeignKeyConstraint(
            ["deviation_id"], ["deviations.id"], name=op.f("fk_redlines_deviation_id_deviations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redlines")),
        sa.UniqueConstraint("batch_id", "number", name=op.f("uq_redlines_batch_id")),
    )
    op.create_index(op.f("ix_redlines_batch_id"), "redlines", ["batch_id"], unique=False)
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redline_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Not batch mode: SQLite's copy-and-move would lose 0015's expression index on batches.
    op.drop_column("batches", "redline_hash")
    op.drop_index(op.f("ix_redlines_batch_id"), table_name="redlines")
    op.drop_table("redlines")
