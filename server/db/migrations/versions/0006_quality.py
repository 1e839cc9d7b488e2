"""quality: deviation lifecycle, holds, review marks, batch decisions, signing sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 11:27:09.195378
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_holds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("step_id", sa.String(length=100), nullable=True),
        sa.Column("deviation_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(length=36), nullable=False),
        sa.Column("raised_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approvals_required", sa.Integer(), nullable=False),
        sa.Column("lifted_at", server.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_batch_holds_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["deviation_id"], ["deviations.id"], name=op.f("fk_batch_holds_deviation_id_deviations")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by"], ["users.id"], name=op.f("fk_batch_holds_raised_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_holds")),
    )
    with op.batch_alter_table("batch_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_holds_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "hold_approvals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hold_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("signature_id", sa.String(length=36), nullable=False),
        sa.Column("approved_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["batch_holds.id"], name=op.f("fk_hold_approvals_hold_id_batch_holds")
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_hold_approvals_signature_id_signatures"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_hold_approvals_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_approvals")),
        sa.UniqueConstraint("hold_id", "user_id", name=op.f("uq_hold_approvals_hold_id")),
    )
    with op.batch_alter_table("hold_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_approvals_hold_id"), ["hold_id"], unique=False)

    op.create_table(
        "review_marks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("reviewed_by", sa.String(length=36), nullable=False),
        sa.Column("reviewed_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signature_id", sa.String(length=36), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_review_marks_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_review_marks_reviewed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_review_marks_signature_id_signatures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_marks")),
        sa.UniqueConstraint("batch_id", "item_id", name=op.f("uq_review_marks_batch_id")),
    )
    with op.batch_alter_table("review_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_marks_batch_id"), ["batch_id"], unique=False)

    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_signed_at", server.db.base.UTCDateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decided_at", server.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decided_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("decision_comment", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_batches_decided_by_users"), "users", ["decided_by"], ["id"]
        )

    with op.batch_alter_table("deviations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("blocking", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("impact", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("root_cause", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("capa", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("conclusion", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("updated_at", server.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_by", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("closed_at", server.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_deviations_closed_by_users"), "users", ["closed_by"], ["id"]
        )
        batch_op.add_column(sa.Column("signature_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deviations_signature_id_signatures"),
            "signatures",
            ["signature_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("deviations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_deviations_signature_id_signatures"), type_="foreignkey"
        )
        batch_op.drop_column("signature_id")
        batch_op.drop_constraint(batch_op.f("fk_deviations_closed_by_users"), type_="foreignkey")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("closed_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("conclusion")
        batch_op.drop_column("capa")
        batch_op.drop_column("root_cause")
        batch_op.drop_column("impact")
        batch_op.drop_column("blocking")

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_batches_decided_by_users"), type_="foreignkey")
        batch_op.drop_column("decision_comment")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("decided_at")

    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_signed_at")

    with op.batch_alter_table("review_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_marks_batch_id"))

    op.drop_table("review_marks")
    with op.batch_alter_table("hold_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hold_approvals_hold_id"))

    op.drop_table("hold_approvals")
    with op.batch_alter_table("batch_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_holds_batch_id"))

    op.drop_table("batch_holds")
