"""One row per audited change, chained by SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class AuditEntry(Base):
    """Who changed what, when, from which value to which, and why.

    `chain` names the hash chain the entry belongs to (`batch:<id>` or `site`) and
    `chain_seq` its place there; both are None on entries of the legacy single chain
    (written before migration 0007), which stay as they were. `seq` is the global order
    (from the `audit_entry_seq` sequence on PostgreSQL, taken after the chain's head is
    locked, so it rises along every chain). `old` and `new` hold canonical JSON text
    exactly as it was hashed, so that verification never depends on how a backend
    round-trips JSON.
    """

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(200))
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    chain: Mapped[str | None] = mapped_column(String(80))
    chain_seq: Mapped[int | None]

    __table_args__ = (Index("ix_audit_entries_chain", "chain", "chain_seq", unique=True),)


class AuditChain(Base):
    """The head of one chain: the row an append locks, so chains never wait on each other.

    Not evidence (verification trusts only the entries and seals), but compared with them:
    a head beyond the chain's last entry means entries were deleted. The `trail` row is the
    legacy chain's head at migration time: its hash is the genesis of every new chain.
    `sealed_seq` is the position the newest seal covers.
    """

    __tablename__ = "audit_chains"

    chain: Mapped[str] = mapped_column(String(80), primary_key=True)
    chain_seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    sealed_seq: Mapped[int]


class AuditSeal(Base):
    """A signed checkpoint of the trail: the head (seq, hash) of each chain it covers.

    Seals chain to each other like entries do, and each is signed with a key kept outside
    the database: the chain up to a seal cannot be recomputed or cut short unnoticed.
    `heads` is canonical JSON `{chain: {"seq", "hash"}}`, so one seal can cover several
    chains (per-batch chains, issue 12).
    """

    __tablename__ = "audit_seals"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sealed_at: Mapped[datetime]
    heads: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
