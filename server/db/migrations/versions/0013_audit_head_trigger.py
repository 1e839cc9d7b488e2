"""audit head trigger: an entry appended to a chain moves the chain's head row

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:30:00

The head row (`audit_chains`) follows the chain's last entry in the database itself, in the
statement that inserts the entries, instead of in a second statement of every append (issue
12, at most 10 statements per step completion). Only inserts move it: a head moved back or
rewritten by hand is still what `stepwise audit verify` compares the chain with.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOVE = (
    "UPDATE audit_chains SET chain_seq = NEW.chain_seq, hash = NEW.hash "
    "WHERE chain = NEW.chain AND chain_seq < NEW.chain_seq"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_move_chain_head() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_MOVE}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entries_move_head AFTER INSERT ON audit_entries "
            "FOR EACH ROW WHEN (NEW.chain IS NOT NULL) EXECUTE FUNCTION audit_move_chain_head()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_entries_move_head AFTER INSERT ON audit_entries "
            f"WHEN NEW.chain IS NOT NULL BEGIN {_MOVE}; END"
        )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER audit_entries_move_head ON audit_entries"
        if op.get_bind().dialect.name == "postgresql"
        else "DROP TRIGGER audit_entries_move_head"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_move_chain_head()")
