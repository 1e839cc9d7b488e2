"""Audit API shapes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from server.audit.models import AuditEntry


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
            old=None if entry.old is None else json.loads(entry.old),
            new=None if entry.new is None else json.loads(entry.new),
            reason=entry.reason,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class ChainReportOut(BaseModel):
    ok: bool
    entries: int
    first_broken: int | None = None
