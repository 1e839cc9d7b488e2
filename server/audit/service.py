"""Appending to and reading the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import GENESIS_HASH, ChainFields, ChainReport, first_broken_link
from server.audit.models import AuditEntry
from server.canonical import canonical_json
from server.clock import utcnow
from server.errors import Refusal

# Serialises appends on PostgreSQL for the rest of the transaction: the chain needs
# each entry to see the one committed before it.
AUDIT_LOCK = 7_114_001
VERIFY_CHUNK = 1000
_LOCK_CHAIN = text(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK})")
_LAST_LINK = select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
# A plain table insert: the ORM's unit of work costs more than the rest of an append.
_APPEND = insert(AuditEntry.__table__)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user or the system itself."""

    id: str | None
    label: str

    @classmethod
    def user(cls, user_id: str, username: str, full_name: str) -> Actor:
        return cls(user_id, f"{username} ({full_name})")


SYSTEM = Actor(None, "system")


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
) -> AuditEntry:
    """Append one entry, chained to the last one, inside the caller's transaction.

    The entry is inserted at once, not left to the session; the returned object is a copy
    for reading and is not attached to the session.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(_LOCK_CHAIN)
    last = (await session.execute(_LAST_LINK)).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    fields = ChainFields(
        seq=seq,
        at=utcnow(),
        actor_id=actor.id,
        actor=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        batch_id=batch_id,
        old=None if old is None else canonical_json(old),
        new=None if new is None else canonical_json(new),
        reason=reason,
    )
    row = {**vars(fields), "prev_hash": prev_hash, "hash": fields.digest(prev_hash)}
    await session.execute(_APPEND, row)
    return AuditEntry(**row)


async def record_refusal(session: AsyncSession, refusal: Refusal, reason: str) -> AuditEntry:
    """Leave the trace of a refused operation (the operation itself changed nothing)."""
    return await record(
        session,
        Actor(refusal.actor_id, refusal.actor),
        refusal.action,
        refusal.entity_type,
        refusal.entity_id,
        new=refusal.detail or None,
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
