"""Appending to and reading the audit trail.

Entries are chained when their transaction commits, not when they are recorded, so the
chain lock is held for the append and the commit only, not for the rest of the work: that
hold time bounds how many audited transactions PostgreSQL commits per second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from server.audit.bounded import bounded
from server.audit.chain import GENESIS_HASH, ChainFields, ChainReport, first_broken_link
from server.audit.models import AuditEntry
from server.canonical import canonical_json
from server.clock import utcnow
from server.errors import Refusal

# Serialises appends on PostgreSQL until commit: the chain needs each entry to see the
# one committed before it. (SQLite write transactions are serialised by BEGIN IMMEDIATE.)
AUDIT_LOCK = 7_114_001
VERIFY_CHUNK = 1000
_LOCK_CHAIN = text(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK})")
_LAST_LINK = select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
# A plain table insert: the ORM's unit of work would cost more than the rest of the append.
_APPEND = insert(AuditEntry.__table__)
_PENDING = "stepwise.audit_pending"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user or the system itself."""

    id: str | None
    label: str

    @classmethod
    def user(cls, user_id: str, username: str, full_name: str) -> Actor:
        return cls(user_id, f"{username} ({full_name})")


SYSTEM = Actor(None, "system")


@dataclass(frozen=True)
class _Pending:
    """An entry recorded in a transaction that has not committed yet."""

    actor: Actor
    action: str
    entity_type: str
    entity_id: str
    batch_id: str | None
    old: str | None
    new: str | None
    reason: str | None


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str,
    *,
    old: Any = None,
    new: Any = None,
    reason: str | None = None,
    batch_id: str | None = None,
) -> None:
    """Add one entry to the trail, appended and chained when the caller's transaction commits.

    It commits with the caller's changes or not at all; entries keep the order in which
    they were recorded.
    """
    if session.in_nested_transaction():
        # A savepoint rolled back would leave its entries behind to be appended.
        raise RuntimeError("audit entries cannot be recorded inside a savepoint")
    if not session.in_transaction():
        await session.connection()  # begin the transaction the entry belongs to
    pending = _Pending(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        batch_id=batch_id,
        old=None if old is None else canonical_json(old),
        new=None if new is None else canonical_json(new),
        reason=reason,
    )
    session.info.setdefault(_PENDING, []).append(pending)


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """Chain and insert the transaction's entries, after its other changes are flushed.

    A synchronous session event: with an AsyncSession it runs in SQLAlchemy's greenlet,
    where the synchronous session can still execute statements.
    """
    if session.in_nested_transaction() or not session.info.get(_PENDING):
        return
    session.flush()
    pending: list[_Pending] = session.info.pop(_PENDING)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_CHAIN)
    last = session.execute(_LAST_LINK).first()
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    rows = []
    for entry in pending:
        seq += 1
        fields = ChainFields(
            seq=seq,
            at=utcnow(),
            actor_id=entry.actor.id,
            actor=entry.actor.label,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            batch_id=entry.batch_id,
            old=entry.old,
            new=entry.new,
            reason=entry.reason,
        )
        digest = fields.digest(prev_hash)
        rows.append({**vars(fields), "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    session.execute(_APPEND, rows)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """Entries of a transaction that rolled back are dropped with it."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


async def record_refusal(session: AsyncSession, refusal: Refusal, reason: str) -> None:
    """Leave the trace of a refused operation (the operation itself changed nothing); its
    input, whatever a client sent, is kept in a bounded form that always reads back."""
    await record(
        session,
        Actor(refusal.actor_id, refusal.actor),
        refusal.action,
        refusal.entity_type,
        refusal.entity_id,
        new=bounded(refusal.detail) if refusal.detail else None,
        reason=reason,
        batch_id=refusal.batch_id,
    )


def _fields(entry: AuditEntry) -> ChainFields:
    return ChainFields(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor=entry.actor,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        batch_id=entry.batch_id,
        old=entry.old,
        new=entry.new,
        reason=entry.reason,
    )


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Walk the whole trail in chunks and report the first broken link."""
    after = (0, GENESIS_HASH)
    count = 0
    while True:
        chunk: Sequence[AuditEntry] = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > after[0])
                .order_by(AuditEntry.seq)
                .limit(VERIFY_CHUNK)
            )
        ).all()
        if not chunk:
            return ChainReport(ok=True, entries=count)
        rows = [(_fields(entry), entry.prev_hash, entry.hash) for entry in chunk]
        broken = first_broken_link(rows, after=after)
        if broken is not None:
            return ChainReport(ok=False, entries=count + len(chunk), first_broken=broken)
        count += len(chunk)
        after = (chunk[-1].seq, chunk[-1].hash)


async def entries_for_batch(session: AsyncSession, batch_id: str) -> Sequence[AuditEntry]:
    """Every entry about one batch, oldest first."""
    return (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.batch_id == batch_id).order_by(AuditEntry.seq)
        )
    ).all()
