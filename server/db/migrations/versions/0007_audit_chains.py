"""audit chains: one hash chain per batch and one for the site, with a locked head row each

The legacy single chain is history: its rows are not touched (the append-only triggers stay
as they are; adding columns on SQLite is a plain ALTER TABLE, so the table is not rebuilt and
keeps its triggers). Its head becomes the `trail` row of `audit_chains`, whose hash is the
genesis of every new chain. On PostgreSQL the global `seq` comes from a sequence from now on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("chain", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.create_index("ix_audit_entries_chain", ["chain", "chain_seq"], unique=True)
    op.create_table(
        "audit_chains",
        sa.Column("chain", sa.String(length=80), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chains")),
    )
    bind = op.get_bind()
    head = bind.execute(
        sa.text("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1")
    ).first()
    seq, digest = (head[0], head[1]) if head else (0, GENESIS_HASH)
    bind.execute(
        sa.text(
            "INSERT INTO audit_chains (chain, chain_seq, hash, sealed_seq)"
            " VALUES ('trail', :seq, :hash, 0)"
        ),
        {"seq": seq, "hash": digest},
    )
    if bind.dialect.name == "postgresql":
        op.execute(f"CREATE SEQUENCE audit_entry_seq START WITH {seq + 1}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE audit_entry_seq")
    op.drop_table("audit_chains")
    with op.batch_alter_table("audit_entries", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_audit_entries_chain")
        batch_op.drop_column("chain_seq")
        batch_op.drop_column("chain")
