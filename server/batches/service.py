"""Batch execution: the server is the authority on order, conditions, limits, roles and time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from procedures import exceptions as procedure_errors
from procedures.dispensing import DispenseTarget, dispense_target
from procedures.exceptions import ExpressionFailed, StepRejected
from procedures.guardrails import check_parameters, evaluate_step, hold_status, is_applicable
from procedures.model import Procedure as ProcedureDefinition
from procedures.model import Step
from server.audit import service as audit
from server.auth import service as auth
from server.auth.exceptions import RoleNotPermitted
from server.auth.models import User
from server.batches import traceability
from server.batches.balance_readings import NO_READINGS, BalanceReadings
from server.batches.evidence import photo_problems
from server.batches.exceptions import (
    BatchNotFound,
    BatchNotInProgress,
    BatchNumberTaken,
    HoldNotElapsed,
    NotCorrectable,
    NothingToCorrect,
    ParametersRejected,
    SelfVerification,
    StepNotActive,
    StepNotFound,
    StepValuesRejected,
    TracedValueNotCorrectable,
)
from server.batches.models import Batch, StepRecord, StepValue
from server.clock import isoformat, utcnow
from server.config import Settings
from server.deviations import service as deviations
from server.deviations.models import Deviation
from server.equipment import service as equipment
from server.errors import Refusal, StepwiseError
from server.events.schemas import BatchEvent, StepEvent
from server.events.staging import stage
from server.library import service as library
from server.library.models import ProcedureVersion
from server.materials.models import Container
from server.signatures import service as signatures
from server.signatures.models import Signature


@dataclass(frozen=True)
class Completion:
    """What completing a step produced."""

    batch: Batch
    record: StepRecord
    deviations: list[Deviation]
    next_step: str | None
    container: Container | None = None

    @property
    def result(self) -> str:
        return "alert" if self.deviations else "ok"


@dataclass(frozen=True)
class BatchRecord:
    """A batch with everything the record shows: definition, signatures, deviations."""

    batch: Batch
    definition: ProcedureDefinition
    signatures: Sequence[Signature]
    deviations: Sequence[Deviation]
    dispense_targets: Mapping[str, DispenseTarget]


def _with_record() -> list[Any]:
    steps = selectinload(Batch.steps)
    return [
        steps.selectinload(StepRecord.values).selectinload(StepValue.author),
        steps.selectinload(StepRecord.performer),
        selectinload(Batch.procedure_version).selectinload(ProcedureVersion.procedure),
    ]


def _for_change() -> list[Any]:
    """What changing a batch reads: its steps with their values, and the pinned version."""
    steps = selectinload(Batch.steps)
    return [
        steps.selectinload(StepRecord.values),
        steps.joinedload(StepRecord.performer),
        joinedload(Batch.procedure_version, innerjoin=True),
    ]


async def _locked_batch(session: AsyncSession, batch_id: str) -> Batch:
    """Load a batch for change, holding its row lock until commit (PostgreSQL).

    Two devices completing the same step queue here; the second then sees the step done.
    SQLite write transactions are already serialised by BEGIN IMMEDIATE.
    """
    batch = await session.scalar(
        select(Batch)
        .where(Batch.id == batch_id)
        .with_for_update(of=Batch)
        .options(*_for_change())
        .execution_options(populate_existing=True)
    )
    if batch is None:
        raise BatchNotFound(batch_id)
    return batch


# Values that record facts from scans and balances: corrected by a deviation, never by typing.
TRACED = frozenset({"scan", "balance", "manual", "dispensed"})


def previous_sources(record: StepRecord) -> dict[str, str]:
    """Where the latest revision of each value of a step came from."""
    return {value.name: value.source for value in record.values}


def current_values(record: StepRecord) -> dict[str, Any]:
    """The latest revision of every value recorded in a step."""
    return {value.name: value.value for value in record.values}


def _context(batch: Batch) -> dict[str, Any]:
    context = dict(batch.parameters)
    for record in batch.steps:
        if record.state == "completed":
            context.update(current_values(record))
    return context


def _record(batch: Batch, step_id: str) -> StepRecord:
    for record in batch.steps:
        if record.step_id == step_id:
            return record
    raise StepNotFound(batch.id, step_id)


def step_summary(record: StepRecord) -> dict[str, Any]:
    """The state of a step as a 409 answer reports it."""
    summary: dict[str, Any] = {"step_id": record.step_id, "state": record.state}
    if record.completed_at is not None:
        summary["completed_at"] = isoformat(record.completed_at)
        summary["completed_by"] = record.performer.username if record.performer else None
    return summary


def _checked_parameters(
    definition: ProcedureDefinition, given: Mapping[str, Any]
) -> dict[str, Any]:
    try:
        return check_parameters(definition.parameters, given)
    except procedure_errors.ParametersRejected as exc:
        raise ParametersRejected(exc.problems) from exc


async def create_batch(
    session: AsyncSession,
    user: User,
    *,
    procedure_key: str,
    version: int | None,
    batch_number: str,
    parameters: Mapping[str, Any],
) -> Batch:
    """Create a batch pinned to an approved procedure version, every step pending."""
    procedure_version = await library.effective_version(session, procedure_key, version)
    definition = library.definition_of(procedure_version)
    checked = _checked_parameters(definition, parameters)
    if await session.scalar(select(Batch.id).where(Batch.batch_number == batch_number)):
        raise BatchNumberTaken(batch_number)
    now = utcnow()
    batch = Batch(
        batch_number=batch_number,
        procedure_version_id=procedure_version.id,
        status="created",
        parameters=checked,
        created_by=user.id,
        created_at=now,
    )
    session.add(batch)
    await session.flush()
    for position, step in enumerate(definition.steps()):
        session.add(
            StepRecord(
                batch_id=batch.id,
                step_id=step.id,
                operation_id=definition.operation_of(step.id).id,
                position=position,
                state="pending",
            )
        )
    await audit.record(
        session,
        auth.actor_of(user),
        "batch.created",
        "batch",
        batch.id,
        new={
            "batch_number": batch_number,
            "procedure": procedure_key,
            "version": procedure_version.version,
            "content_hash": procedure_version.content_hash,
            "parameters": checked,
        },
        batch_id=batch.id,
    )
    stage(session, BatchEvent(batch_id=batch.id, status="created", batch_number=batch_number))
    return batch


async def start_batch(session: AsyncSession, user: User, batch_id: str) -> Batch:
    """Put a created batch in progress and activate its first applicable step."""
    batch = await _locked_batch(session, batch_id)
    if batch.status != "created":
        raise BatchNotInProgress(batch.batch_number, batch.status)
    batch.status, batch.started_at = "in_progress", utcnow()
    actor = auth.actor_of(user)
    await audit.record(
        session,
        actor,
        "batch.started",
        "batch",
        batch.id,
        old={"status": "created"},
        new={"status": "in_progress"},
        batch_id=batch.id,
    )
    stage(session, BatchEvent(batch_id=batch.id, status="in_progress"))
    await _advance(session, user, batch, library.definition_of(batch.procedure_version))
    return batch


async def _advance(
    session: AsyncSession, user: User, batch: Batch, definition: ProcedureDefinition
) -> StepRecord | None:
    """Activate the next applicable pending step, skipping those whose condition is false."""
    actor = auth.actor_of(user)
    context = _context(batch)
    for record in batch.steps:
        if record.state != "pending":
            continue
        step = definition.step(record.step_id)
        try:
            applicable = is_applicable(step, context)
        except ExpressionFailed:
            # When in doubt, perform the step: skipping is the irreversible choice.
            applicable = True
        if not applicable:
            record.state = "skipped"
            await audit.record(
                session,
                actor,
                "step.skipped",
                "step",
                record.id,
                old={"state": "pending"},
                new={"state": "skipped"},
                reason=f"condition is false: {step.when}",
                batch_id=batch.id,
            )
            stage(session, StepEvent(batch_id=batch.id, step_id=record.step_id, state="skipped"))
            continue
        record.state, record.activated_at = "active", utcnow()
        stage(session, StepEvent(batch_id=batch.id, step_id=record.step_id, state="active"))
        return record
    batch.status, batch.completed_at = "completed", utcnow()
    await audit.record(
        session,
        actor,
        "batch.completed",
        "batch",
        batch.id,
        old={"status": "in_progress"},
        new={"status": "completed"},
        batch_id=batch.id,
    )
    await equipment.release_for_batch(session, user, batch.id)
    stage(session, BatchEvent(batch_id=batch.id, status="completed"))
    return None


def _refusal(
    user: User, batch: Batch, record: StepRecord, action: str, detail: dict[str, Any]
) -> Refusal:
    return Refusal(
        user.id,
        auth.actor_of(user).label,
        action,
        "step",
        record.id,
        batch.id,
        {"step_id": record.step_id, **detail},
    )


async def _performer(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch: Batch,
    step: Step,
    signature: signatures.SignatureRequest | None,
) -> tuple[User, str | None]:
    """Who performs the step, and the meaning they sign with (None: no signature)."""
    if step.kind == "verification":
        assert step.verifies is not None
        signer = await signatures.authenticate_signer(
            session, settings, signature, meaning="verified", current_user=user
        )
        if signer.id == _record(batch, step.verifies).completed_by:
            raise SelfVerification(step.verifies)
        if not signer.has_any_role(step.verifier_roles):
            raise RoleNotPermitted("Verifying this step", step.verifier_roles)
        return signer, "verified"
    if step.signature is None and signature is None:
        return user, None
    signer = await signatures.authenticate_signer(
        session, settings, signature, meaning="performed", current_user=user
    )
    if signer.id != user.id:
        raise RoleNotPermitted("Signing as performer for someone else", ["the performer"])
    return signer, "performed"


async def complete_step(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch_id: str,
    step_id: str,
    *,
    values: Mapping[str, Any],
    comment: str | None,
    signature: signatures.SignatureRequest | None,
    override: traceability.Override | None = None,
    readings: BalanceReadings | None = None,
) -> Completion:
    """Record a step's values, scans, signature and deviations together, then move on;
    `readings`: the balance of a dispense step, read before the transaction."""
    batch = await _locked_batch(session, batch_id)
    record = _record(batch, step_id)
    if batch.status != "in_progress":
        raise BatchNotInProgress(batch.batch_number, batch.status)
    if record.state != "active":
        raise StepNotActive(step_id, step_summary(record))
    definition = library.definition_of(batch.procedure_version)
    step = definition.step(step_id)
    refusal = _refusal(user, batch, record, "step.completion_refused", {"values": dict(values)})
    try:
        if not user.has_any_role(step.roles):
            raise RoleNotPermitted(f"Performing step {step_id!r}", step.roles)
        hold = await _check_hold(batch, step)
        context = _context(batch)
        try:
            proposed = traceability.proposed_inputs(step, values)
            outcome = evaluate_step(step, proposed, context, comment)
        except StepRejected as exc:
            raise StepValuesRejected(step_id, exc.problems) from exc
        if missing := await photo_problems(session, step, outcome.values):
            raise StepValuesRejected(step_id, missing)
        performer, meaning = await _performer(session, settings, user, batch, step, signature)
        traced = await traceability.check(
            session, settings, user, batch, step, values, context, override, readings or NO_READINGS
        )
    except StepwiseError as exc:
        raise exc.with_refusal(refusal) from exc
    now = utcnow()
    container, overridden = await traceability.record(session, performer, batch, step, traced)
    entered = {**outcome.values, **traced.values}
    if step.dispense is not None:
        entered = _dispensed_values(step, traced, container)
    for name, value in entered.items():
        source = traced.sources.get(name, "entered")
        record.values.append(_value(record, name, value, source, 1, performer, now))
    for name, value in outcome.calculated.items():
        record.values.append(_value(record, name, value, "calculated", 1, performer, now))
    record.state, record.completed_at, record.performer = "completed", now, performer
    record.comment = comment
    await session.flush()
    recorded = {"values": entered, "calculated": outcome.calculated}
    opened = overridden + [
        await deviations.open_deviation(
            session,
            performer,
            batch_id=batch.id,
            batch_number=batch.batch_number,
            step_id=step_id,
            kind="alert_limit",
            severity=alert.severity,
            title=f"{alert.field} outside its alert range",
            detail=alert.message,
            field=alert.field,
            value=alert.value,
            limits=alert.limit,
            comment=comment,
        )
        for alert in outcome.alerts
    ]
    if hold == "exceeded":
        opened.append(
            await deviations.open_deviation(
                session,
                performer,
                batch_id=batch.id,
                batch_number=batch.batch_number,
                step_id=step_id,
                kind="hold_time_exceeded",
                severity="major",
                title="Maximum hold time exceeded",
                detail=f"Step {step_id!r} was completed after its maximum hold time.",
                comment=comment,
            )
        )
    if meaning is not None:
        await signatures.apply(
            session,
            performer,
            meaning,
            {
                "batch_id": batch.id,
                "batch_number": batch.batch_number,
                "step_id": step_id,
                "procedure_content_hash": batch.procedure_version.content_hash,
                **recorded,
            },
            batch_id=batch.id,
            step_record_id=record.id,
        )
    await audit.record(
        session,
        auth.actor_of(performer),
        "step.completed",
        "step",
        record.id,
        old={"state": "active"},
        new={"state": "completed", "step_id": step_id, **recorded, "comment": comment},
        batch_id=batch.id,
    )
    stage(
        session,
        StepEvent(
            batch_id=batch.id,
            step_id=step_id,
            state="completed",
            by=performer.username,
            values=entered,
            calculated=outcome.calculated,
            result="alert" if opened else "ok",
        ),
    )
    following = await _advance(session, user, batch, definition)
    next_step = following.step_id if following else None
    return Completion(batch, record, opened, next_step, container)


def _dispensed_values(
    step: Step, traced: traceability.Traced, container: Container | None
) -> dict[str, Any]:
    """What a dispense step records: net quantity, balance, lot and container."""
    dispense, weighing = step.dispense, traced.weighing
    assert dispense is not None and weighing is not None and container is not None
    net, balance, lot, number = dispense.value_names()
    traced.sources.update({net: weighing.source, number: "dispensed"})
    traced.sources.update({balance: "scan", lot: "scan"})
    return {
        net: float(weighing.net),
        balance: traced.values["balance"],
        lot: traced.values["lot"],
        number: container.number,
    }


async def _check_hold(batch: Batch, step: Step) -> str | None:
    """The hold state of a timer step; completing before the minimum is refused."""
    if step.hold is None:
        return None
    since = _record(batch, step.hold.after).completed_at
    if since is None:
        return None
    status = hold_status(step.hold, since, utcnow())
    if status.state == "too_early":
        assert status.earliest is not None
        raise HoldNotElapsed(step.id, status.earliest)
    return status.state


def _value(
    record: StepRecord,
    name: str,
    value: Any,
    source: str,
    revision: int,
    author: User,
    at: Any,
    reason: str | None = None,
) -> StepValue:
    return StepValue(
        step_record_id=record.id,
        name=name,
        value=value,
        source=source,
        revision=revision,
        entered_by=author.id,
        entered_at=at,
        reason=reason,
    )


async def correct_step(
    session: AsyncSession,
    user: User,
    batch_id: str,
    step_id: str,
    *,
    values: Mapping[str, Any],
    reason: str,
    comment: str | None,
) -> tuple[Batch, list[Deviation]]:
    """Correct recorded values with a reason; every earlier revision stays in the record."""
    batch = await _locked_batch(session, batch_id)
    record = _record(batch, step_id)
    if batch.status not in ("in_progress", "completed"):
        raise BatchNotInProgress(batch.batch_number, batch.status)
    if record.state != "completed":
        raise NotCorrectable(step_id, record.state)
    step = library.definition_of(batch.procedure_version).step(step_id)
    refusal = _refusal(user, batch, record, "step.correction_refused", {"values": dict(values)})
    previous = current_values(record)
    revisions = {value.name: value.revision for value in record.values}
    entered = {v.name: v.value for v in record.values if v.source != "calculated"}
    traced = sorted(name for name in values if previous_sources(record).get(name) in TRACED)
    try:
        if not user.has_any_role(step.roles):
            raise RoleNotPermitted(f"Correcting step {step_id!r}", step.roles)
        if traced:
            raise TracedValueNotCorrectable(step_id, traced)
        try:
            proposed = traceability.proposed_inputs(step, {**entered, **values})
            outcome = evaluate_step(step, proposed, _context(batch), comment)
        except StepRejected as exc:
            raise StepValuesRejected(step_id, exc.problems) from exc
        if missing := await photo_problems(session, step, values):
            raise StepValuesRejected(step_id, missing)
        changed = {
            name: value
            for name, value in {**outcome.values, **outcome.calculated}.items()
            if previous.get(name) != value
        }
        if not changed:
            raise NothingToCorrect(step_id)
    except StepwiseError as exc:
        raise exc.with_refusal(refusal) from exc
    now = utcnow()
    for name, value in changed.items():
        source = "calculated" if name in outcome.calculated else "entered"
        session.add(
            _value(record, name, value, source, revisions.get(name, 0) + 1, user, now, reason)
        )
    await audit.record(
        session,
        auth.actor_of(user),
        "value.corrected",
        "step",
        record.id,
        old={name: previous.get(name) for name in changed},
        new=changed,
        reason=reason,
        batch_id=batch.id,
    )
    opened = [
        await deviations.open_deviation(
            session,
            user,
            batch_id=batch.id,
            batch_number=batch.batch_number,
            step_id=step_id,
            kind="alert_limit",
            severity=alert.severity,
            title=f"{alert.field} outside its alert range (correction)",
            detail=alert.message,
            field=alert.field,
            value=alert.value,
            limits=alert.limit,
            comment=comment,
        )
        for alert in outcome.alerts
        if alert.field in changed
    ]
    await session.flush()
    await session.refresh(record, ["values"])
    stage(
        session,
        StepEvent(
            batch_id=batch.id,
            step_id=step_id,
            state="completed",
            corrected=changed,
            by=user.username,
        ),
    )
    return batch, opened


async def load_record(session: AsyncSession, batch_id: str) -> BatchRecord:
    """A batch with its steps, values, signatures and deviations, for display."""
    batch = await session.scalar(select(Batch).where(Batch.id == batch_id).options(*_with_record()))
    if batch is None:
        raise BatchNotFound(batch_id)
    signed = (
        await session.scalars(
            select(Signature).where(Signature.batch_id == batch_id).order_by(Signature.signed_at)
        )
    ).all()
    definition = library.definition_of(batch.procedure_version)
    return BatchRecord(
        batch=batch,
        definition=definition,
        signatures=signed,
        deviations=await deviations.for_batch(session, batch_id),
        dispense_targets=_dispense_targets(definition, batch),
    )


def _dispense_targets(definition: ProcedureDefinition, batch: Batch) -> dict[str, DispenseTarget]:
    """The target window of each dispense step whose target can be worked out yet."""
    context, targets = _context(batch), {}
    for step in definition.steps():
        if step.dispense is None:
            continue
        try:
            targets[step.id] = dispense_target(step.dispense, context)
        except StepRejected:
            continue  # depends on a value not recorded yet
    return targets


async def list_batches(session: AsyncSession, status: str | None = None) -> Sequence[Batch]:
    """Batches, newest first, optionally of one status."""
    query = (
        select(Batch)
        .options(
            selectinload(Batch.steps),
            selectinload(Batch.procedure_version).selectinload(ProcedureVersion.procedure),
        )
        .order_by(Batch.created_at.desc())
    )
    if status:
        query = query.where(Batch.status == status)
    return (await session.scalars(query)).all()
