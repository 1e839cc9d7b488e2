"""Building the electronic batch record of a batch from the database, read-only.

A fixed number of queries whatever the batch's size: the record as the batch API loads it
(steps, values and their authors, signatures, deviations), then one query each for holds,
review marks, attachments, material uses, containers, the audit trail and the people named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from procedures.dispensing import DispenseTarget
from procedures.model import Limits as LimitsModel
from procedures.model import Step
from procedures.redlines import change_lines
from procedures.states import BatchStatus, StepStatus
from server.audit import service as audit
from server.audit.bounded import readable
from server.audit.chain import chain_of
from server.audit.models import AuditEntry
from server.auth import service as auth
from server.auth.models import User
from server.batch_record import schema as out
from server.batch_record.exceptions import BatchNumberUnknown
from server.batches.hold_views import batch_holds
from server.batches.models import Batch, BatchHold, StepRecord, StepValue
from server.batches.record import BatchRecord, load_record
from server.deviations.facts import deviation_facts
from server.deviations.models import Deviation
from server.equipment.models import Equipment
from server.materials.models import Container, Lot, Material, MaterialUse
from server.media_store.models import Attachment, MediaObject
from server.redlines import service as redlines
from server.redlines.models import Redline
from server.review.models import ReviewMark
from server.signatures.models import Signature

_Row = TypeVar("_Row", bound=tuple[Any, ...])
UNKNOWN = out.Person(username="unknown", full_name="unknown user")
Role = Literal["input", "calculation"]
DECISIONS: dict[BatchStatus, Literal["released", "rejected"]] = {
    BatchStatus.RELEASED: "released",
    BatchStatus.REJECTED: "rejected",
}


def manifestation(full_name: str, signed_at: datetime, meaning: str) -> str:
    """How a signature shows wherever it is displayed: printed name, UTC time, meaning."""
    return f"{full_name} — {signed_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC — {meaning}"


def signature_entry(signature: Signature) -> out.SignatureEntry:
    return out.SignatureEntry(
        id=signature.id,
        username=signature.username,
        full_name=signature.full_name,
        meaning=signature.meaning,
        signed_at=signature.signed_at,
        content_hash=signature.content_hash,
        manifestation=manifestation(signature.full_name, signature.signed_at, signature.meaning),
    )


@dataclass(frozen=True)
class _Loaded:
    """Everything the record is built from, loaded up front."""

    record: BatchRecord
    people: Mapping[str, out.Person]
    holds: Sequence[BatchHold]
    marks: Sequence[ReviewMark]
    attachments: Sequence[out.AttachmentEntry]
    uses: Sequence[out.MaterialUseEntry]
    containers: Sequence[out.ContainerEntry]
    trail: Sequence[AuditEntry]
    operations: Mapping[str, str]
    definitions: Mapping[str, Step]
    redlines: Sequence[Redline]

    def person(self, user_id: str | None) -> out.Person:
        return self.people.get(user_id or "", UNKNOWN)

    def signature(self, signature_id: str | None) -> out.SignatureEntry | None:
        found = next((s for s in self.record.signatures if s.id == signature_id), None)
        return signature_entry(found) if found else None


async def build_record(session: AsyncSession, batch_id: str) -> out.BatchRecordDocument:
    """The electronic batch record of a batch in whatever state it is."""
    loaded = await _load(session, batch_id)
    record, batch = loaded.record, loaded.record.batch
    trail = [_audit_record(entry) for entry in loaded.trail]
    return out.BatchRecordDocument(
        header=_header(loaded),
        steps=[_step(loaded, step) for step in batch.steps],
        deviations=[_deviation(loaded, d, trail) for d in record.deviations],
        holds=[_hold(loaded, hold) for hold in loaded.holds],
        redlines=[_redline(loaded, redline) for redline in loaded.redlines],
        attachments=list(loaded.attachments),
        signatures=[signature_entry(s) for s in record.signatures],
        review=[
            out.ReviewMarkEntry(
                item_id=mark.item_id,
                by=loaded.person(mark.reviewed_by),
                at=mark.reviewed_at,
                comment=mark.comment,
                signature=loaded.signature(mark.signature_id),
            )
            for mark in loaded.marks
        ],
        decision=_decision(loaded),
        audit_trail=trail,
        audit_chain=_chain_head(trail, batch_id),
    )


async def batch_id_of(session: AsyncSession, batch_number: str) -> str:
    """The id of the batch with this number (or id), or BatchNotFound."""
    found = await session.scalar(
        select(Batch.id).where((Batch.batch_number == batch_number) | (Batch.id == batch_number))
    )
    if found is None:
        raise BatchNumberUnknown(batch_number)
    return found


async def _load(session: AsyncSession, batch_id: str) -> _Loaded:
    record = await load_record(session, batch_id)
    holds = await batch_holds(session, batch_id)
    marks = (
        await session.scalars(
            select(ReviewMark)
            .where(ReviewMark.batch_id == batch_id)
            .order_by(ReviewMark.reviewed_at)
        )
    ).all()
    trail = await audit.entries_for_batch(session, batch_id)
    batch = record.batch
    wanted = {batch.created_by, batch.decided_by}
    wanted |= {d.opened_by for d in record.deviations} | {d.closed_by for d in record.deviations}
    wanted |= {h.raised_by for h in holds} | {a.user_id for h in holds for a in h.approvals}
    wanted |= {m.reviewed_by for m in marks}
    return _Loaded(
        record=record,
        people=await _people(session, {w for w in wanted if w}),
        holds=holds,
        marks=marks,
        attachments=await _attachments(session, batch_id),
        uses=await _material_uses(session, batch_id),
        containers=await _containers(session, batch_id),
        trail=trail,
        operations={s.id: o.title for o in record.definition.operations for s in o.steps},
        definitions={s.id: s for s in record.definition.steps()},
        redlines=await redlines.for_batch(session, batch_id),
    )


def _person(user: User | None) -> out.Person:
    return out.Person(username=user.username, full_name=user.full_name) if user else UNKNOWN


async def _people(session: AsyncSession, user_ids: Iterable[str]) -> dict[str, out.Person]:
    users = await auth.users_by_id(session, user_ids)
    return {user.id: _person(user) for user in users.values()}


async def _attachments(session: AsyncSession, batch_id: str) -> list[out.AttachmentEntry]:
    rows = await session.execute(
        select(Attachment, MediaObject, User)
        .join(MediaObject, MediaObject.id == Attachment.media_id)
        .outerjoin(User, User.id == Attachment.created_by)
        .where(Attachment.batch_id == batch_id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [
        out.AttachmentEntry(
            id=attachment.id,
            step_id=attachment.step_id,
            kind=attachment.kind,
            caption=attachment.caption,
            sha256=media.id,
            media_type=media.content_type,
            size=media.size,
            attached_at=attachment.created_at,
            attached_by=f"{user.full_name} ({user.username})" if user else "system",
        )
        for attachment, media, user in rows
    ]


def _quantity(value: Any) -> str | None:
    return None if value is None else str(value)


def _with_lot(query: Select[_Row], lot_id: Any) -> Select[_Row]:
    """The query joined to the lot `lot_id` names and the lot's material."""
    return query.join(Lot, Lot.id == lot_id).join(Material, Material.id == Lot.material_id)


def _lot_fields(lot: Lot, material: Material) -> dict[str, str]:
    """How a material use or a container names its material and lot."""
    return {
        "material_code": material.code,
        "material_name": material.name,
        "lot_number": lot.lot_number,
    }


async def _material_uses(session: AsyncSession, batch_id: str) -> list[out.MaterialUseEntry]:
    rows = await session.execute(
        _with_lot(select(MaterialUse, Lot, Material, Container.number, User), MaterialUse.lot_id)
        .outerjoin(Container, Container.id == MaterialUse.container_id)
        .join(User, User.id == MaterialUse.by)
        .where(MaterialUse.batch_id == batch_id)
        .order_by(MaterialUse.at, MaterialUse.id)
    )
    return [
        out.MaterialUseEntry(
            step_id=use.step_id,
            kind=use.kind,
            **_lot_fields(lot, material),
            container_number=container_number,
            quantity=_quantity(use.quantity),
            unit=use.unit,
            at=use.at,
            by=_person(user),
        )
        for use, lot, material, container_number, user in rows
    ]


async def _containers(session: AsyncSession, batch_id: str) -> list[out.ContainerEntry]:
    balance = aliased(Equipment)
    rows = await session.execute(
        _with_lot(select(Container, Lot, Material, balance.code, User), Container.lot_id)
        .outerjoin(balance, balance.id == Container.balance_id)
        .join(User, User.id == Container.created_by)
        .where(Container.batch_id == batch_id)
        .order_by(Container.created_at, Container.number)
    )
    return [
        out.ContainerEntry(
            step_id=container.step_id,
            number=container.number,
            **_lot_fields(lot, material),
            quantity=str(container.quantity),
            unit=container.unit,
            source=container.source,
            manual=container.source == "manual",
            balance=balance_code,
            at=container.created_at,
            by=_person(user),
        )
        for container, lot, material, balance_code, user in rows
    ]


def _header(loaded: _Loaded) -> out.Header:
    record = loaded.record
    batch, definition, version = record.batch, record.definition, record.batch.procedure_version
    declared = {p.name: p for p in definition.parameters}
    names = [p.name for p in definition.parameters]
    names += [n for n in batch.parameters if n not in declared]
    return out.Header(
        batch_id=batch.id,
        batch_number=batch.batch_number,
        product=definition.product,
        procedure_key=definition.key,
        procedure_title=definition.title,
        version=version.version,
        content_hash=version.content_hash,
        parameters=[
            out.ParameterEntry(
                name=name,
                label=declared[name].label if name in declared else name,
                value=batch.parameters.get(name),
                unit=declared[name].unit if name in declared else None,
            )
            for name in names
        ],
        status=str(batch.status),
        released=batch.status == BatchStatus.RELEASED,
        created_by=loaded.person(batch.created_by),
        created_at=batch.created_at,
        started_at=batch.started_at,
        completed_at=batch.completed_at,
        decided_at=batch.decided_at,
    )


@dataclass(frozen=True)
class _Field:
    """What the procedure says about one recorded value."""

    label: str
    role: Role
    type: str
    unit: str | None
    limits: LimitsModel | None


def _fields(step: Step, target: DispenseTarget | None) -> dict[str, _Field]:
    fields = {i.name: _Field(i.label, "input", str(i.type), i.unit, i.limits) for i in step.inputs}
    for calc in step.calculations:
        fields[calc.name] = _Field(calc.label, "calculation", "number", calc.unit, calc.limits)
    if step.dispense is not None:
        window = LimitsModel(min=float(target.low), max=float(target.high)) if target else None
        label, unit = f"{step.dispense.material} dispensed", str(step.dispense.unit)
        fields[step.dispense.name] = _Field(label, "input", "number", unit, window)
    return fields


def _limits(limits: LimitsModel | None) -> out.Limits | None:
    if limits is None:
        return None
    return out.Limits(
        min=limits.min, max=limits.max, alert_min=limits.alert_min, alert_max=limits.alert_max
    )


def _in_alert(limits: LimitsModel | None, value: Any) -> bool:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return bool(limits and numeric and limits.alert_breach(float(value)))


def _revision(value: StepValue) -> out.Revision:
    return out.Revision(
        revision=value.revision,
        value=value.value,
        source=value.source,
        entered_by=_person(value.author),
        entered_at=value.entered_at,
        reason=value.reason,
    )


def _values(
    step: Step, record: StepRecord, target: DispenseTarget | None
) -> tuple[list[out.RecordedValue], list[out.Correction]]:
    fields = _fields(step, target)
    by_name: dict[str, list[StepValue]] = defaultdict(list)
    for value in record.values:
        by_name[value.name].append(value)
    order = [n for n in fields if n in by_name] + [n for n in by_name if n not in fields]
    values, corrections = [], []
    for name in order:
        revisions = sorted(by_name[name], key=lambda v: v.revision)
        latest = revisions[-1]
        known = fields.get(name, _Field(name, "input", "value", None, None))
        values.append(
            out.RecordedValue(
                name=name,
                label=known.label,
                role="calculation" if latest.source == "calculated" else known.role,
                type=known.type,
                unit=known.unit,
                limits=_limits(known.limits),
                value=latest.value,
                source=latest.source,
                manual=latest.source == "manual",
                alert=_in_alert(known.limits, latest.value),
                revisions=[_revision(v) for v in revisions],
            )
        )
        corrections += [
            out.Correction(
                name=name,
                revision=new.revision,
                old=old.value,
                new=new.value,
                by=_person(new.author),
                at=new.entered_at,
                reason=new.reason,
            )
            for old, new in pairwise(revisions)
        ]
    return values, corrections


def _step(loaded: _Loaded, record: StepRecord) -> out.StepEntry:
    step = loaded.definitions[record.step_id]
    target = loaded.record.dispense_targets.get(record.step_id)
    values, corrections = _values(step, record, target)
    deviations = [d for d in loaded.record.deviations if d.step_id == record.step_id]
    alert = any(v.alert for v in values) or any(d.kind == "alert_limit" for d in deviations)
    done = record.state == StepStatus.COMPLETED
    return out.StepEntry(
        step_id=record.step_id,
        operation_id=record.operation_id,
        operation_title=loaded.operations[step.id],
        position=record.position,
        title=step.title,
        kind=str(step.kind),
        instruction=step.instruction,
        state=str(record.state),
        result=("alert" if alert else "ok") if done else None,
        activated_at=record.activated_at,
        completed_at=record.completed_at,
        completed_by=_person(record.performer) if record.performer else None,
        comment=record.comment,
        values=values,
        corrections=corrections,
        signatures=[
            signature_entry(s) for s in loaded.record.signatures if s.step_record_id == record.id
        ],
        material_uses=[u for u in loaded.uses if u.step_id == record.step_id],
        containers=[c for c in loaded.containers if c.step_id == record.step_id],
        attachments=[a.id for a in loaded.attachments if a.step_id == record.step_id],
        deviations=[d.number for d in deviations],
    )


def _audit_record(entry: AuditEntry) -> out.AuditRecord:
    return out.AuditRecord(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        entity=f"{entry.entity_type}:{entry.entity_id}",
        old=readable(entry.old),
        new=readable(entry.new),
        reason=entry.reason,
        chain=entry.chain,
        chain_seq=entry.chain_seq,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


def _chain_head(trail: Sequence[out.AuditRecord], batch_id: str) -> out.AuditChainHead | None:
    name = chain_of(batch_id)
    chained = [entry for entry in trail if entry.chain == name and entry.chain_seq is not None]
    if not chained:
        return None
    head = max(chained, key=lambda entry: entry.chain_seq or 0)
    return out.AuditChainHead(
        chain=name, chain_seq=head.chain_seq or 0, seq=head.seq, hash=head.hash
    )


def _deviation(
    loaded: _Loaded, deviation: Deviation, trail: Sequence[out.AuditRecord]
) -> out.DeviationEntry:
    entity = f"deviation:{deviation.id}"
    return out.DeviationEntry(
        **deviation_facts(deviation),
        opened_by=loaded.person(deviation.opened_by),
        closed_by=loaded.person(deviation.closed_by) if deviation.closed_by else None,
        history=[entry for entry in trail if entry.entity == entity],
    )


def _redline(loaded: _Loaded, redline: Redline) -> out.RedlineEntry:
    numbers = {d.id: d.number for d in loaded.record.deviations}
    return out.RedlineEntry(
        number=redline.number,
        status=redline.status,  # type: ignore[arg-type]
        reason=redline.reason,
        changes=change_lines(redline.diff),
        diff=redline.diff,
        base_hash=redline.base_hash,
        content_hash=redline.content_hash,
        proposed_by=_person(redline.proposer),
        proposed_at=redline.proposed_at,
        decided_by=_person(redline.decider) if redline.decider else None,
        decided_at=redline.decided_at,
        decision_comment=redline.decision_comment,
        deviation_number=numbers.get(redline.deviation_id or ""),
        signature=loaded.signature(redline.signature_id),
    )


def _hold(loaded: _Loaded, hold: BatchHold) -> out.HoldEntry:
    numbers = {d.id: d.number for d in loaded.record.deviations}
    return out.HoldEntry(
        id=hold.id,
        step_id=hold.step_id,
        deviation_number=numbers.get(hold.deviation_id or ""),
        reason=hold.reason,
        raised_by=loaded.person(hold.raised_by),
        raised_at=hold.raised_at,
        approvals_required=hold.approvals_required,
        approvals=[
            out.HoldApprovalEntry(
                by=loaded.person(approval.user_id),
                at=approval.approved_at,
                comment=approval.comment,
                signature=loaded.signature(approval.signature_id),
            )
            for approval in hold.approvals
        ],
        lifted_at=hold.lifted_at,
    )


def _decision(loaded: _Loaded) -> out.DecisionEntry | None:
    batch = loaded.record.batch
    decision = DECISIONS.get(batch.status)
    if decision is None or batch.decided_at is None:
        return None
    signed = [s for s in loaded.record.signatures if s.meaning == decision]
    return out.DecisionEntry(
        decision=decision,
        by=loaded.person(batch.decided_by),
        at=batch.decided_at,
        comment=batch.decision_comment,
        signature=signature_entry(signed[-1]) if signed else None,
    )
