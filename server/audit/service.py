"""Appending to and reading the audit trail.

Entries are chained when their transaction commits, not when they are recorded. Each batch
has its own chain and everything else goes to the site chain: an append locks only the head
rows of the chains it extends (in name order, so two transactions never deadlock), for the
append and the commit, so two batches never wait on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from server.audit.bounded import bounded
from server.audit.chain import LEGACY, ChainFields, chain_of
from server.audit.models import AuditChain, AuditEntry
from server.canonical import canonical_json
from server.clock import utcnow
from server.db.paging import Keyset, Page, PageRequest, fetch_page
from server.errors import Refusal

_HEAD = (
    select(AuditChain.chain_seq, AuditChain.hash)
    .where(AuditChain.chain == bindparam("chain"))
    .with_for_update()
)
# A new chain starts from the legacy chain's head (its hash at migration time).
_OPEN_CHAIN = text(
    "INSERT INTO audit_chains (chain, chain_seq, hash, sealed_seq)"
    f" SELECT :chain, 0, hash, 0 FROM audit_chains WHERE chain = '{LEGACY}'"
    " ON CONFLICT (chain) DO NOTHING"
)
# The last chain's head is locked and the transaction's seqs are taken in one statement: the
# CTE locks the head before the outer query draws a number from the sequence.
_LAST_HEAD_AND_SEQS = text(
    "WITH head AS MATERIALIZED ("
    "SELECT chain_seq, hash FROM audit_chains WHERE chain = :chain FOR UPDATE) "
    "SELECT head.chain_seq, head.hash, nextval('audit_entry_seq') "
    "FROM head CROSS JOIN generate_series(1, :count)"
)
# SQLite serialises write transactions (BEGIN IMMEDIATE): the next seq is simply max + 1.
_SQLITE_LAST_HEAD_AND_SEQ = text(
    "SELECT chain_seq, hash, (SELECT coalesce(max(seq), 0) FROM audit_entries) "
    "FROM audit_chains WHERE chain = :chain"
)
# A plain table insert: the ORM's unit of work would cost more than the rest of the append.
# It moves each chain's head row too, by a trigger (migration 0012), in the same statement.
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
    by_chain: dict[str, list[_Pending]] = {}
    for entry in pending:
        by_chain.setdefault(chain_of(entry.batch_id), []).append(entry)
    *first, last = sorted(by_chain)
    heads = {chain: _locked_head(session, chain) for chain in first}
    # Taken after the heads are locked, so seq rises along every chain.
    heads[last], taken = _locked_last_head_and_seqs(session, last, len(pending))
    seqs = iter(taken)
    rows = []
    for chain, entries in by_chain.items():
        position, prev_hash = heads[chain]
        for entry in entries:
            position += 1
            fields = ChainFields(
                seq=next(seqs),
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
                chain=chain,
                chain_seq=position,
            )
            digest = fields.digest(prev_hash)
            rows.append({**vars(fields), "prev_hash": prev_hash, "hash": digest})
            prev_hash = digest
    rows.sort(key=lambda row: row["seq"])
    session.execute(_APPEND, rows)


def _locked_head(session: Session, chain: str) -> tuple[int, str]:
    """The (position, hash) of a chain's head, locked until commit; opened if new."""
    head = session.execute(_HEAD, {"chain": chain}).first()
    if head is None:
        session.execute(_OPEN_CHAIN, {"chain": chain})
        head = session.execute(_HEAD, {"chain": chain}).one()
    return head[0], head[1]


def _locked_last_head_and_seqs(
    session: Session, chain: str, count: int
) -> tuple[tuple[int, str], list[int]]:
    """The locked head of the last chain an append extends (opened if new), and the `count`
    global seqs its transaction's entries take, in one statement."""
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _LAST_HEAD_AND_SEQS if postgres else _SQLITE_LAST_HEAD_AND_SEQ
    given = {"chain": chain, "count": count}
    rows = session.execute(statement, given).all()
    if not rows:
        session.execute(_OPEN_CHAIN, {"chain": chain})
        rows = session.execute(statement, given).all()
    position, head = rows[0][0], rows[0][1]
    if postgres:
        return (position, head), sorted(row[2] for row in rows)
    last = rows[0][2]
    return (position, head), list(range(last + 1, last + 1 + count))


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


BATCH_TRAIL = Keyset("batch-audit", (AuditEntry.seq,))
# The site's trail by time (seq breaks ties), so a time range is one index range.
TRAIL = Keyset("audit", (AuditEntry.at, AuditEntry.seq), descending=True)


@dataclass(frozen=True)
class TrailFilters:
    """What the audit trail may be narrowed to; each given filter must hold."""

    batch_id: str | None = None
    actor_id: str | None = None
    actor: str | None = None
    actions: Sequence[str] = ()
    at_from: datetime | None = None
    at_before: datetime | None = None


async def trail_page(
    session: AsyncSession, filters: TrailFilters, page: PageRequest, keyset: Keyset = TRAIL
) -> Page[AuditEntry]:
    """A page of audit entries passing `filters`, in `keyset` order (newest first).

    `actor_id` names the account that acted; else `actor` an actor label as written
    (`system`, a device)."""
    query = select(AuditEntry)
    if filters.batch_id:
        query = query.where(AuditEntry.batch_id == filters.batch_id)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    elif filters.actor:
        query = query.where(AuditEntry.actor == filters.actor)
    if filters.actions:
        query = query.where(AuditEntry.action.in_(filters.actions))
    if filters.at_from:
        query = query.where(AuditEntry.at >= filters.at_from)
    if filters.at_before:
        query = query.where(AuditEntry.at < filters.at_before)
    return await fetch_page(session, query, keyset, page)


async def entries_for_batch(session: AsyncSession, batch_id: str) -> Sequence[AuditEntry]:
    """Every entry about one batch, oldest first."""
    return (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.batch_id == batch_id).order_by(AuditEntry.seq)
        )
    ).all()
