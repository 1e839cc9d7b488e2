"""Verifying the hash chains: the legacy one, the site's and every batch's.

Each chain is walked from its genesis in position order, in chunks; a chain's head row is
compared with its last entry, so deleting the unsealed tail of a chain is seen too, unless
the head row was rewritten as well (then only a seal or a kept seal tells).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import GENESIS_HASH, LEGACY, ChainBreak, ChainFields, first_broken_link
from server.audit.models import AuditChain, AuditEntry

CHUNK = 1000
_LEGACY_HEAD = (
    select(AuditEntry.hash).where(AuditEntry.chain.is_(None)).order_by(AuditEntry.seq.desc())
)


@dataclass(frozen=True)
class ChainHead:
    """Where a chain ends: its last position, that entry's global seq and hash."""

    chain_seq: int
    seq: int
    hash: str


@dataclass
class ChainsReport:
    """Every chain's length and head, and the first break of each broken chain."""

    heads: dict[str, ChainHead] = field(default_factory=dict)
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(head.chain_seq for head in self.heads.values())


def fields_of(entry: AuditEntry) -> ChainFields:
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
        chain=entry.chain,
        chain_seq=entry.chain_seq,
    )


async def genesis(session: AsyncSession) -> str:
    """Where every new chain starts: the legacy chain's last hash."""
    return await session.scalar(_LEGACY_HEAD.limit(1)) or GENESIS_HASH


async def _walk(
    session: AsyncSession, report: ChainsReport, name: str, where: ColumnElement[bool], start: str
) -> None:
    """Walk one chain (`where` selects its entries) and add its head or break to `report`."""
    legacy = name == LEGACY
    order = AuditEntry.seq if legacy else AuditEntry.chain_seq
    after, last_seq = (0, start), 0
    while True:
        chunk: Sequence[AuditEntry] = (
            await session.scalars(
                select(AuditEntry).where(where, order > after[0]).order_by(order).limit(CHUNK)
            )
        ).all()
        if not chunk:
            break
        fields = [fields_of(entry) for entry in chunk]
        rows = [(f, entry.prev_hash, entry.hash) for f, entry in zip(fields, chunk, strict=True)]
        broken = first_broken_link(rows, after=after)
        if broken is not None:
            report.breaks.append(ChainBreak(name, broken.position, broken.seq))
            after = (fields[-1].position, chunk[-1].hash)
            last_seq = chunk[-1].seq
            break
        after, last_seq = (fields[-1].position, chunk[-1].hash), chunk[-1].seq
    if after[0]:
        report.heads[name] = ChainHead(after[0], last_seq, after[1])


async def verify_chain(session: AsyncSession, name: str, report: ChainsReport) -> None:
    """Walk one chain (not the legacy one) from the genesis into `report`."""
    await _walk(session, report, name, AuditEntry.chain == name, await genesis(session))


async def _walk_every_chain(session: AsyncSession, report: ChainsReport, start: str) -> None:
    """Walk every named chain in one pass ordered by (chain, position), in chunks."""
    name: str | None = None
    after, last_seq, broken = (0, start), 0, False

    def finish() -> None:
        if name is not None:
            report.heads[name] = ChainHead(after[0], last_seq, after[1])

    query = (
        select(AuditEntry)
        .where(AuditEntry.chain.is_not(None))
        .order_by(AuditEntry.chain, AuditEntry.chain_seq)
        .limit(CHUNK)
    )
    resume = query
    while chunk := (await session.scalars(resume)).all():
        for entry in chunk:
            if entry.chain != name:
                finish()
                name, after, last_seq, broken = entry.chain, (0, start), 0, False
            fields = fields_of(entry)
            if not broken and first_broken_link(
                [(fields, entry.prev_hash, entry.hash)], after=after
            ):
                report.breaks.append(ChainBreak(fields.chain_name, fields.position, fields.seq))
                broken = True
            after, last_seq = (fields.position, entry.hash), entry.seq
        last = chunk[-1]
        resume = query.where(
            tuple_(AuditEntry.chain, AuditEntry.chain_seq) > (last.chain, last.chain_seq)
        )
    finish()


async def verify_chains(session: AsyncSession) -> ChainsReport:
    """Walk every chain and compare each head row with the chain's last entry."""
    report = ChainsReport()
    # Head rows first: a head committed is seen with its entries by the walk that follows.
    rows = (await session.execute(select(AuditChain.chain, AuditChain.chain_seq))).all()
    await _walk(session, report, LEGACY, AuditEntry.chain.is_(None), GENESIS_HASH)
    await _walk_every_chain(session, report, await genesis(session))
    for name, position in sorted(rows):
        found = report.heads.get(name)
        actual = found.chain_seq if found else 0
        if position > actual and not any(b.chain == name for b in report.breaks):
            report.breaks.append(ChainBreak(name, actual + 1, None))
    report.breaks.sort(key=lambda b: (b.seq is None, b.seq or 0))
    return report


def positions(pairs: list[tuple[str, int]]) -> ColumnElement[bool]:
    """Entries at these (chain, position) pairs."""
    return tuple_(AuditEntry.chain, AuditEntry.chain_seq).in_(pairs)
