"""audit seals: signed checkpoints of the audit trail, append-only like its entries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 09:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_GUARD = [
    """
    CREATE FUNCTION stepwise_seals_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_seals is append-only (% refused)', TG_OP;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION stepwise_seals_append_only()
    """,
    """
    CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION stepwise_seals_append_only()
    """,
]

SQLITE_GUARD = [
    """
    CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
    BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only (UPDATE refused)'); END
    """,
    """
    CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
    BEGIN SELECT RAISE(ABORT, 'audit_seals is append-only (DELETE refused)'); END
    """,
]


def upgrade() -> None:
    op.create_table(
        "audit_seals",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sealed_at", server.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heads", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seals")),
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_GUARD if dialect == "postgresql" else SQLITE_GUARD:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_seals_no_truncate ON audit_seals")
        op.execute("DROP TRIGGER audit_seals_append_only ON audit_seals")
        op.execute("DROP FUNCTION stepwise_seals_append_only()")
    else:
        op.execute("DROP TRIGGER audit_seals_no_update")
        op.execute("DROP TRIGGER audit_seals_no_delete")
    op.drop_table("audit_seals")
