"""What a QA reviewer must look at in a batch: its exceptions, each under a stable id.

Review by exception: instead of every value of the record, the reviewer reads what departed
from the procedure. The items are assembled here from data already loaded (the batch's rows
with nothing left to load, the procedure definition, the people by id): no database, no
HTTP, so the same facts always give the same items in the same order.

Item ids are stable across reads, so a review mark made on one stays on it:
`deviation:<deviation id>`, `correction:<value id>` (a value revision after the first),
`manual_weight:<value id>` (a net weight typed instead of read from the balance),
`signature_refused:<audit seq>`, `hold:<hold id>`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from procedures.dispensing import DispenseTarget
from procedures.model import Procedure, Step
from server.audit.models import AuditEntry
from server.batches.models import Batch, BatchHold, StepRecord, StepValue
from server.clock import isoformat
from server.deviations.models import Deviation

ItemKind = Literal["deviation", "correction", "manual_weight", "signature_refused", "hold"]
REFUSED_SIGNATURE = ".signature_refused"
# Refusals of the reviewer's own signatures (a mistyped password on a review mark or the
# release) are acts of the review, not departures of the batch; they stay in the audit trail.
REVIEW_SUBJECTS = frozenset({"review", "release"})


@dataclass(frozen=True)
class Person:
    """Someone as the review names them."""

    username: str
    full_name: str


@dataclass(frozen=True)
class FieldSpec:
    """What the procedure says about one value: its label, unit and limits."""

    label: str
    unit: str | None = None
    limits: dict[str, float] | None = None


@dataclass(frozen=True)
class HoldApprovalFact:
    """One approval of a hold, as the review shows it."""

    by: Person | None
    at: datetime
    comment: str | None


@dataclass(frozen=True)
class ReviewItem:
    """One exception the reviewer must read and mark reviewed."""

    id: str
    kind: ItemKind
    title: str
    detail: str
    step_id: str | None
    step_title: str | None
    at: datetime | None
    by: Person | None
    field: str | None = None
    value: Any = None
    unit: str | None = None
    limits: dict[str, float] | None = None
    deviation_id: str | None = None
    deviation_number: str | None = None
    deviation_status: str | None = None
    deviation_kind: str | None = None
    severity: str | None = None
    old_value: Any = None
    new_value: Any = None
    reason: str | None = None
    approvals: tuple[HoldApprovalFact, ...] = ()
    lifted_at: datetime | None = None

    def content(self) -> dict[str, Any]:
        """The item as plain JSON, the content a review signature is bound to."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "detail": self.detail,
            "step_id": self.step_id,
            "field": self.field,
            "value": self.value,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "deviation_status": self.deviation_status,
            "at": isoformat(self.at) if self.at else None,
            "by": self.by.username if self.by else None,
        }


@dataclass(frozen=True)
class BatchFacts:
    """Everything the review of one batch is assembled from, already loaded."""

    batch: Batch
    definition: Procedure
    deviations: Sequence[Deviation]
    holds: Sequence[BatchHold]
    refusals: Sequence[AuditEntry]
    people: Mapping[str, Person] = field(default_factory=dict)
    dispense_targets: Mapping[str, DispenseTarget] = field(default_factory=dict)

    def person(self, user_id: str | None) -> Person | None:
        return self.people.get(user_id) if user_id else None

    def step_title(self, step_id: str | None) -> str | None:
        if step_id is None:
            return None
        return next((s.title for s in self.definition.steps() if s.id == step_id), None)

    def field_spec(self, step_id: str | None, name: str | None) -> FieldSpec | None:
        """The label, unit and limits of value `name` of step `step_id`, from the definition
        (a dispensed weight's limits are its target window for this batch)."""
        step = next((s for s in self.definition.steps() if s.id == step_id), None)
        if step is None or name is None:
            return None
        return _spec_in(step, name, self.dispense_targets.get(step.id))


def _spec_in(step: Step, name: str, target: DispenseTarget | None) -> FieldSpec | None:
    for described in (*step.inputs, *step.calculations):
        if described.name == name:
            limits = described.limits
            bounds = {**limits.hard(), **limits.alert()} if limits else None
            return FieldSpec(described.label, described.unit, bounds or None)
    dispense = step.dispense
    if dispense is not None and name == dispense.name:
        window = {"min": float(target.low), "max": float(target.high)} if target else None
        return FieldSpec(f"{dispense.material} net weight", dispense.unit, window)
    return None


def review_items(facts: BatchFacts) -> list[ReviewItem]:
    """Every exception of the batch, oldest first (undated last), ties by id."""
    items = [
        *deviation_items(facts),
        *correction_items(facts),
        *manual_weight_items(facts),
        *refused_signature_items(facts),
        *hold_items(facts),
    ]
    return sorted(items, key=lambda i: (i.at is None, i.at or datetime.min, i.id))


def deviation_items(facts: BatchFacts) -> list[ReviewItem]:
    """Each deviation with its state: alert values, overrides, missed hold times and
    windows, corrections after completion, observations."""
    items = []
    for deviation in facts.deviations:
        spec = facts.field_spec(deviation.step_id, deviation.field)
        items.append(
            ReviewItem(
                id=f"deviation:{deviation.id}",
                kind="deviation",
                title=f"{deviation.number}: {deviation.title}",
                detail=deviation.detail,
                step_id=deviation.step_id,
                step_title=facts.step_title(deviation.step_id),
                at=deviation.opened_at,
                by=facts.person(deviation.opened_by),
                field=deviation.field,
                value=deviation.value,
                unit=spec.unit if spec else None,
                limits=_limits_of(spec, deviation.limits),
                deviation_id=deviation.id,
                deviation_number=deviation.number,
                deviation_status=str(deviation.status),
                deviation_kind=deviation.kind,
                severity=deviation.severity,
                reason=deviation.comment,
            )
        )
    return items


def _limits_of(spec: FieldSpec | None, recorded: Any) -> dict[str, float] | None:
    if spec is not None and spec.limits:
        return spec.limits
    if isinstance(recorded, dict):
        bounds = {k: recorded[k] for k in ("min", "max", "alert_min", "alert_max") if k in recorded}
        return bounds or None
    return None


def _values(facts: BatchFacts) -> list[tuple[StepRecord, StepValue]]:
    return [(record, value) for record in facts.batch.steps for value in record.values]


def _value_item(
    facts: BatchFacts,
    record: StepRecord,
    value: StepValue,
    spec: FieldSpec | None,
    *,
    kind: Literal["correction", "manual_weight"],
    title: str,
    detail: str,
    old_value: Any = None,
    new_value: Any = None,
) -> ReviewItem:
    """The item about one recorded value, under the id `<kind>:<value id>`."""
    return ReviewItem(
        id=f"{kind}:{value.id}",
        kind=kind,
        title=title,
        detail=detail,
        step_id=record.step_id,
        step_title=facts.step_title(record.step_id),
        at=value.entered_at,
        by=facts.person(value.entered_by),
        field=value.name,
        value=value.value,
        unit=spec.unit if spec else None,
        limits=spec.limits if spec else None,
        old_value=old_value,
        new_value=new_value,
        reason=value.reason,
    )


def correction_items(facts: BatchFacts) -> list[ReviewItem]:
    """Each value changed after its first entry: original and new value, who, why.

    Calculations recomputed from a corrected value follow from it and are not listed again.
    """
    revisions = {(v.step_record_id, v.name, v.revision): v for _, v in _values(facts)}
    items = []
    for record, value in _values(facts):
        if value.revision <= 1 or value.source == "calculated":
            continue
        before = revisions.get((record.id, value.name, value.revision - 1))
        old = before.value if before else None
        spec = facts.field_spec(record.step_id, value.name)
        label = spec.label if spec else value.name
        items.append(
            _value_item(
                facts,
                record,
                value,
                spec,
                kind="correction",
                title=f"{label} corrected",
                detail=f"{_shown(old)} → {_shown(value.value)}: {value.reason or 'no reason'}",
                old_value=old,
                new_value=value.value,
            )
        )
    return items


def manual_weight_items(facts: BatchFacts) -> list[ReviewItem]:
    """Each net weight typed by hand where the procedure expects the balance's reading."""
    items = []
    for record, value in _values(facts):
        if value.source != "manual":
            continue
        spec = facts.field_spec(record.step_id, value.name)
        unit = spec.unit if spec else None
        quantity = f"{_shown(value.value)} {unit}" if unit else _shown(value.value)
        items.append(
            _value_item(
                facts,
                record,
                value,
                spec,
                kind="manual_weight",
                title=f"{spec.label if spec else value.name} entered by hand",
                detail=f"{quantity} typed instead of read from the balance.",
            )
        )
    return items


def refused_signature_items(facts: BatchFacts) -> list[ReviewItem]:
    """Each e-signature refused on the batch (wrong password, meaning, role or a
    self-verification), as the audit trail recorded it."""
    step_of = {record.id: record.step_id for record in facts.batch.steps}
    items = []
    for entry in facts.refusals:
        detail = _signature_refused(entry)
        if detail is None:
            continue
        step_id = step_of.get(entry.entity_id) if entry.entity_type == "step" else None
        signer, meaning = detail.get("signed_by", "?"), detail.get("meaning", "?")
        act = detail.get("act", entry.entity_type)
        items.append(
            ReviewItem(
                id=f"signature_refused:{entry.seq}",
                kind="signature_refused",
                title=f"Signature refused: {act}",
                detail=f"{signer} signing {meaning!r} for {act} was refused: "
                f"{entry.reason or 'no reason recorded'}",
                step_id=step_id,
                step_title=facts.step_title(step_id),
                at=entry.at,
                by=facts.person(entry.actor_id) or Person(entry.actor, entry.actor),
                reason=entry.reason,
            )
        )
    return items


def _signature_refused(entry: AuditEntry) -> dict[str, Any] | None:
    """What a refused signature's audit entry says (signed_by, meaning, act), or None when
    the entry is no refused signature of the batch's making."""
    if not entry.action.endswith(REFUSED_SIGNATURE) or entry.entity_type in REVIEW_SUBJECTS:
        return None
    try:
        detail = json.loads(entry.new) if entry.new else {}
    except ValueError:  # a bounded preview of an oversized input is no JSON object
        detail = {}
    return detail if isinstance(detail, dict) else {}


def hold_items(facts: BatchFacts) -> list[ReviewItem]:
    """Each hold of the batch with its continuation approvals."""
    by_id = {deviation.id: deviation for deviation in facts.deviations}
    items = []
    for hold in facts.holds:
        deviation = by_id.get(hold.deviation_id) if hold.deviation_id else None
        approvals = tuple(
            HoldApprovalFact(facts.person(a.user_id), a.approved_at, a.comment)
            for a in hold.approvals
        )
        approvers = ", ".join(a.by.full_name for a in approvals if a.by) or "nobody yet"
        items.append(
            ReviewItem(
                id=f"hold:{hold.id}",
                kind="hold",
                title=f"Batch held at {facts.step_title(hold.step_id) or 'batch level'}",
                detail=f"{hold.reason} Continuation approved by {approvers} "
                f"({len(approvals)} of {hold.approvals_required}).",
                step_id=hold.step_id,
                step_title=facts.step_title(hold.step_id),
                at=hold.raised_at,
                by=facts.person(hold.raised_by),
                deviation_id=hold.deviation_id,
                deviation_number=deviation.number if deviation else None,
                deviation_status=str(deviation.status) if deviation else None,
                reason=hold.reason,
                approvals=approvals,
                lifted_at=hold.lifted_at,
            )
        )
    return items


def _shown(value: Any) -> str:
    return "(none)" if value is None else str(value)
