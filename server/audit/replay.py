"""Replaying each batch's audit entries and comparing the result with the record tables.

The hash chain proves the trail is intact; it says nothing about the tables beside it. A
value, signer, deviation or status changed in a table, or a row deleted or added there,
shows here as a difference between what the trail says happened and what the tables hold.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.audit.models import AuditEntry
from server.batches.models import Batch, StepRecord
from server.clock import isoformat
from server.deviations.models import Deviation
from server.signatures.models import Signature

ABSENT = "(absent)"
# Entries on a step whose `new` is {name: value}, each a new revision of that value.
VALUE_REVISIONS = frozenset({"value.corrected", "value.recalculated"})
STEP_CHANGES = VALUE_REVISIONS | {"step.completed", "step.skipped"}
BATCHES_PER_CHUNK = 200


@dataclass(frozen=True)
class Difference:
    """Where the tables disagree with the trail: which batch, step and field, and both values."""

    batch_number: str
    step: str | None
    field: str
    table: Any
    trail: Any


@dataclass
class _StepTrail:
    step_id: str | None = None
    state: str | None = None
    performer: str | None = None
    comment: str | None = None
    values: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class _BatchTrail:
    """What a batch's entries say its record holds."""

    batch_number: str | None = None
    status: str | None = None
    parameters: Any = ABSENT
    steps: dict[str, _StepTrail] = field(default_factory=dict)
    signatures: dict[str, dict[str, Any]] = field(default_factory=dict)
    deviations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def apply(self, entry: AuditEntry) -> None:
        """Fold one entry into the replayed state."""
        if not entry.new or entry.action.endswith("_refused"):
            return
        try:
            new = json.loads(entry.new)
        except (ValueError, RecursionError):
            return  # not what the server wrote: the chain check reports the entry
        if not isinstance(new, dict):
            return
        if entry.entity_type == "batch":
            self._batch(entry.action, new)
        elif entry.action in STEP_CHANGES:
            self._step(entry, new)
        elif entry.action == "signature.applied":
            signer = new.get("signer_id", entry.actor_id)
            self.signatures[entry.entity_id] = {**_signature_fields(new), "signer_id": signer}
        elif entry.entity_type == "deviation":
            self._deviation(entry, new)

    def _batch(self, action: str, new: dict[str, Any]) -> None:
        if action == "batch.created":
            self.batch_number, self.status = new.get("batch_number"), "created"
            self.parameters = new.get("parameters", ABSENT)
        self.status = new.get("status", self.status)

    def _step(self, entry: AuditEntry, new: dict[str, Any]) -> None:
        step = self.steps.setdefault(entry.entity_id, _StepTrail())
        step.step_id = new.get("step_id", step.step_id)
        if entry.action in VALUE_REVISIONS:
            for name, value in new.items():
                step.values.setdefault(name, []).append(value)
            return
        step.state = new.get("state", step.state)
        if entry.action == "step.completed":
            step.performer = new.get("performer_id", entry.actor_id)
            step.comment = new.get("comment")
            for name, value in {**new.get("values", {}), **new.get("calculated", {})}.items():
                step.values.setdefault(name, []).append(value)

    def _deviation(self, entry: AuditEntry, new: dict[str, Any]) -> None:
        if entry.action == "deviation.opened":
            fields = {name: new.get(name) for name in _DEVIATION_FIELDS if name in new}
            self.deviations[entry.entity_id] = {
                "status": "open",
                **fields,
                "opened_by": entry.actor_id,
            }
        elif entry.entity_id in self.deviations:
            # A change of facts names the description as the API does; the table keeps `detail`.
            replayed = self.deviations[entry.entity_id]
            for name, value in new.items():
                column = _DEVIATION_COLUMNS.get(name, name)
                if column in _DEVIATION_FIELDS or column == "status":
                    replayed[column] = value


_DEVIATION_FIELDS = ("number", "kind", "severity", "step_id", "field", "value", "detail", "title")
_DEVIATION_COLUMNS = {"description": "detail"}
_SIGNATURE_FIELDS = ("meaning", "signer", "content_hash", "signed_at")


def _signature_fields(new: dict[str, Any]) -> dict[str, Any]:
    return {name: new[name] for name in _SIGNATURE_FIELDS if name in new}


def _signature_row(signature: Signature) -> dict[str, Any]:
    return {
        "meaning": signature.meaning,
        "signer": signature.full_name,
        "content_hash": signature.content_hash,
        "signed_at": isoformat(signature.signed_at),
        "signer_id": signature.user_id,
    }


def _deviation_row(deviation: Deviation) -> dict[str, Any]:
    return {
        **{name: getattr(deviation, name) for name in _DEVIATION_FIELDS},
        "status": deviation.status,
        "opened_by": deviation.opened_by,
    }


@dataclass(frozen=True)
class _Tables:
    """One batch as its tables hold it."""

    batch: Batch
    signatures: Sequence[Signature]
    deviations: Sequence[Deviation]


class _Comparison:
    """Differences of one batch, named with its number and the step they concern."""

    def __init__(self, batch_number: str) -> None:
        self.batch_number = batch_number
        self.found: list[Difference] = []

    def check(self, step: str | None, name: str, table: Any, trail: Any) -> None:
        if table != trail:
            self.found.append(Difference(self.batch_number, step, name, table, trail))

    def rows(
        self,
        kind: str,
        table: dict[str, dict[str, Any]],
        trail: dict[str, dict[str, Any]],
        step_of: dict[str, str | None],
    ) -> None:
        """Compare rows by id, field by field, for the fields the trail recorded."""
        for row_id in sorted(table.keys() | trail.keys()):
            step = step_of.get(row_id)
            if row_id not in trail or row_id not in table:
                shown = (table.get(row_id, ABSENT), trail.get(row_id, ABSENT))
                self.check(step, f"{kind} {row_id}", *shown)
                continue
            for name, value in trail[row_id].items():
                self.check(step, f"{kind} {row_id} {name}", table[row_id].get(name), value)


def _compare_steps(check: _Comparison, tables: _Tables, trail: _BatchTrail) -> None:
    records = {record.id: record for record in tables.batch.steps}
    for record_id in trail.steps.keys() - records.keys():
        step = trail.steps[record_id]
        check.check(step.step_id, "step record", ABSENT, step.state)
    for record in tables.batch.steps:
        replayed = trail.steps.get(record.id, _StepTrail())
        state = str(record.state)
        # Activation is not audited: with no entry, a step may be pending or active.
        if replayed.state is not None or state not in ("pending", "active"):
            check.check(record.step_id, "state", state, replayed.state)
        if replayed.state == "completed":
            check.check(record.step_id, "completed by", record.completed_by, replayed.performer)
            check.check(record.step_id, "comment", record.comment, replayed.comment)
        table_values: dict[str, list[Any]] = {}
        for value in sorted(record.values, key=lambda v: (v.name, v.revision)):
            table_values.setdefault(value.name, []).append(value.value)
        for name in sorted(table_values.keys() | replayed.values.keys()):
            table, trail_values = table_values.get(name, []), replayed.values.get(name, [])
            _compare_revisions(check, record.step_id, name, table, trail_values)


def _compare_revisions(
    check: _Comparison, step: str, name: str, table: list[Any], trail: list[Any]
) -> None:
    for revision in range(max(len(table), len(trail))):
        check.check(
            step,
            f"{name} revision {revision + 1}",
            table[revision] if revision < len(table) else ABSENT,
            trail[revision] if revision < len(trail) else ABSENT,
        )


def compare_batch(tables: _Tables, trail: _BatchTrail) -> list[Difference]:
    """Every difference between one batch's tables and its replayed trail."""
    batch = tables.batch
    check = _Comparison(batch.batch_number)
    check.check(None, "batch number", batch.batch_number, trail.batch_number)
    check.check(None, "status", str(batch.status), trail.status)
    if trail.parameters is not ABSENT:
        check.check(None, "parameters", batch.parameters, trail.parameters)
    _compare_steps(check, tables, trail)
    step_ids = {record.id: record.step_id for record in batch.steps}
    check.rows(
        "signature",
        {s.id: _signature_row(s) for s in tables.signatures},
        trail.signatures,
        {s.id: step_ids.get(s.step_record_id or "") for s in tables.signatures},
    )
    check.rows(
        "deviation",
        {d.id: _deviation_row(d) for d in tables.deviations},
        trail.deviations,
        {d.id: d.step_id for d in tables.deviations},
    )
    return check.found


async def _trail_of(session: AsyncSession, batch_id: str) -> _BatchTrail:
    trail = _BatchTrail()
    entries = await session.scalars(
        select(AuditEntry).where(AuditEntry.batch_id == batch_id).order_by(AuditEntry.seq)
    )
    for entry in entries:
        trail.apply(entry)
    return trail


async def _tables_of(session: AsyncSession, batch: Batch) -> _Tables:
    signed = await session.scalars(select(Signature).where(Signature.batch_id == batch.id))
    opened = await session.scalars(select(Deviation).where(Deviation.batch_id == batch.id))
    return _Tables(batch, signed.all(), opened.all())


async def _batches(session: AsyncSession) -> AsyncIterator[Sequence[Batch]]:
    """Every batch with its steps and values, a chunk at a time."""
    after = ""
    while True:
        chunk = (
            await session.scalars(
                select(Batch)
                .where(Batch.id > after)
                .order_by(Batch.id)
                .limit(BATCHES_PER_CHUNK)
                .options(selectinload(Batch.steps).selectinload(StepRecord.values))
            )
        ).all()
        if not chunk:
            return
        yield chunk
        after = chunk[-1].id


async def replay_batches(session: AsyncSession) -> list[Difference]:
    """Replay every batch's trail against its tables; also batches only one side knows."""
    differences: list[Difference] = []
    known: set[str] = set()
    async for chunk in _batches(session):
        for batch in chunk:
            known.add(batch.id)
            trail = await _trail_of(session, batch.id)
            differences.extend(compare_batch(await _tables_of(session, batch), trail))
    created = await session.execute(
        select(AuditEntry.batch_id, AuditEntry.new).where(AuditEntry.action == "batch.created")
    )
    for batch_id, new in created.all():
        if batch_id not in known:
            number = json.loads(new or "{}").get("batch_number", batch_id)
            differences.append(Difference(number, None, "batch", ABSENT, "created"))
    return differences
