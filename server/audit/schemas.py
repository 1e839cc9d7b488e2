"""Audit API shapes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from server.audit.bounded import readable
from server.audit.chain import LEGACY, ChainBreak
from server.audit.models import AuditEntry
from server.audit.verification import BatchChainReport, TrailReport


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_type: str
    entity_id: str
    old: Any = None
    new: Any = None
    reason: str | None
    prev_hash: str
    hash: str
    chain: str
    chain_seq: int
    people: dict[str, str] = Field(
        default={},
        description="The full names of the people whose ids appear in old or new, by id "
        "(a batch's trail), so a view shows names rather than ids.",
    )

    @classmethod
    def of(cls, entry: AuditEntry, names: Mapping[str, str] | None = None) -> AuditEntryOut:
        """`names`: full names by user id; those mentioned in the entry are kept with it."""
        known = names or {}
        return cls(
            people={i: known[i] for i in sorted(entry_mentions(entry)) if i in known},
            seq=entry.seq,
            chain=entry.chain or LEGACY,
            chain_seq=entry.seq if entry.chain_seq is None else entry.chain_seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            entity=f"{entry.entity_type}:{entry.entity_id}",
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            old=readable(entry.old),
            new=readable(entry.new),
            reason=entry.reason,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


PERSON_KEYS = ("_id", "_by")  # performer_id, signer_id, raised_by, ...


def mentioned_ids(value: Any) -> set[str]:
    """The strings under keys ending in `_id` or `_by` in `value` (an entry's old or new, at
    any depth): the candidates for a person's id."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, str) and key.endswith(PERSON_KEYS):
                found.add(item)
            else:
                found |= mentioned_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= mentioned_ids(item)
    return found


def entry_mentions(entry: AuditEntry) -> set[str]:
    """The candidates for a person's id in an entry's old and new values."""
    return mentioned_ids(readable(entry.old)) | mentioned_ids(readable(entry.new))


class SealProblemOut(BaseModel):
    """A seal that does not hold; `chain` and `chain_seq` name the entry it is about."""

    seal: int
    detail: str
    chain: str | None = None
    chain_seq: int | None = None


class ChainBreakOut(BaseModel):
    """The first bad entry of a chain: its position there and its global `seq` (None: the
    entry is missing, the chain ends before its head)."""

    chain: str
    chain_seq: int
    seq: int | None

    @classmethod
    def of(cls, found: ChainBreak | None) -> ChainBreakOut | None:
        return None if found is None else cls(**vars(found))


class DifferenceOut(BaseModel):
    """A record table disagreeing with the trail: `table` and `trail` are both values."""

    batch_number: str
    step: str | None
    field: str
    table: Any
    trail: Any


class ChainReportOut(BaseModel):
    """Every chain (`ok`, `entries`, `chains`, `first_break` and each chain's in `breaks`;
    `first_broken` its global seq), the seals, and the tables replayed."""

    ok: bool
    entries: int
    chains: int = 0
    first_broken: int | None = None
    first_break: ChainBreakOut | None = None
    breaks: list[ChainBreakOut] = []
    seals: int = 0
    sealed_through: int = 0
    unsealed_entries: int = 0
    seal_problems: list[SealProblemOut] = []
    differences: list[DifferenceOut] = []

    @classmethod
    def of(cls, report: TrailReport) -> ChainReportOut:
        return cls(
            ok=report.ok,
            entries=report.entries,
            chains=report.chains,
            first_broken=report.first_break.seq if report.first_break else None,
            first_break=ChainBreakOut.of(report.first_break),
            breaks=[ChainBreakOut(**vars(b)) for b in report.breaks],
            seals=report.seals,
            sealed_through=report.sealed_through,
            unsealed_entries=report.unsealed_entries,
            seal_problems=[SealProblemOut(**vars(p)) for p in report.seal_problems],
            differences=[DifferenceOut(**vars(d)) for d in report.differences],
        )


class ChainHeadOut(BaseModel):
    chain_seq: int
    seq: int
    hash: str


class BatchChainReportOut(BaseModel):
    """One batch's chain: `head` (None while it has no entries), its first break, and the
    seals naming it (`sealed_seq`: how far they cover it)."""

    ok: bool
    chain: str
    head: ChainHeadOut | None = None
    first_break: ChainBreakOut | None = None
    seals: int = 0
    sealed_seq: int = 0
    seal_problems: list[SealProblemOut] = []

    @classmethod
    def of(cls, report: BatchChainReport) -> BatchChainReportOut:
        return cls(
            ok=report.ok,
            chain=report.chain,
            head=ChainHeadOut(**vars(report.head)) if report.head else None,
            first_break=ChainBreakOut.of(report.first_break),
            seals=report.seals,
            sealed_seq=report.sealed_seq,
            seal_problems=[SealProblemOut(**vars(p)) for p in report.seal_problems],
        )
