"""One row per audited change, chained by SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class AuditEntry(Base):
    """Who changed what, when, from which value to which, and why.

    `old` and `new` hold canonical JSON text exactly as it was hashed, so that
    verification never depends on how a backend round-trips JSON.
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
