"""Audit API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from server.audit.bounded import readable
from server.audit.models import AuditEntry
from server.audit.verification import TrailReport


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

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=entry.seq,
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


class SealProblemOut(BaseModel):
    seal: int
    detail: str


class DifferenceOut(BaseModel):
    """A record table disagreeing with the trail: `table` and `trail` are both values."""

    batch_number: str
    step: str | None
    field: str
    table: Any
    trail: Any


class ChainReportOut(BaseModel):
    """The chain (`ok`, `entries`, `first_broken`), its seals, and the tables replayed."""

    ok: bool
    entries: int
    first_broken: int | None = None
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
            first_broken=report.first_broken,
            seals=report.seals,
            sealed_through=report.sealed_through,
            unsealed_entries=report.unsealed_entries,
            seal_problems=[SealProblemOut(**vars(p)) for p in report.seal_problems],
            differences=[DifferenceOut(**vars(d)) for d in report.differences],
        )
