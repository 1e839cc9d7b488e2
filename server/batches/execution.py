"""Executing a batch: create it, start it, complete its active step and move it on.

The server is the authority on order, conditions, limits, roles and time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from procedures import exceptions as procedure_errors
from procedures.guardrails import StepOutcome, check_parameters, hold_status
from procedures.model import Procedure as ProcedureDefinition
from procedures.model import Step
from procedures.states import BatchStatus, StepStatus, next_steps
from server.audit import service as audit
from server.auth import service as auth
from server.auth.exceptions import RoleNotPermitted
from server.auth.models import User
from server.batches import departures, holds, operators, outputs, traceability
from server.batches.balance_readings import NO_READINGS, BalanceReadings
from server.batches.checks import check_photos, check_role, evaluate, refusals_audited
from server.batches.exceptions import (
    BatchNotInProgress,
    BatchNumberTaken,
    HoldNotElapsed,
    ParametersRejected,
    SelfVerification,
    StepNotActive,
)
from server.batches.lock import check_unlocked
from server.batches.models import Batch, StepRecord, StepValue
from server.batches.record import batch_context, locked_batch, step_summary, value_row
from server.batches.step_rows import (
    StepContext,
    StepRow,
    StepState,
    performer_read,
    step_context,
)
from server.batches.transitions import change_status
from server.clock import utcnow
from server.config import Settings
from server.deviations import service as deviations
from server.deviations.models import Deviation
from server.equipment import service as equipment
from server.events.schemas import BatchEvent, StepEvent
from server.events.staging import stage
from server.library import service as library
from server.materials.models import Container
from server.orders import reporting as orders
from server.redlines.definitions import batch_definition
from server.signatures import service as signatures

_STEPS = StepRecord.__table__.c
# A completion writes with Core on the session's connection (no ORM objects, no autoflush):
# its values, first revisions all, in one statement (the step's context has them as rows).
_INSERT_VALUES = insert(StepValue.__table__)
_DONE = _STEPS.id == bindparam("done_id")
# The completed step and the step it activated, written in one statement (the ORM would
# send one per row, their changed columns differing).
_STORE_STATES = (
    update(StepRecord.__table__)
    .where(or_(_DONE, _STEPS.id == bindparam("next_id")))
    .values(
        state=case(
            (_DONE, bindparam("done_state", type_=_STEPS.state.type)),
            else_=bindparam("next_state", type_=_STEPS.state.type),
        ),
        completed_at=case(
            (_DONE, bindparam("done_at", type_=_STEPS.completed_at.type)),
            else_=_STEPS.completed_at,
        ),
        completed_by=case(
            (_DONE, bindparam("done_by", type_=_STEPS.completed_by.type)),
            else_=_STEPS.completed_by,
        ),
        comment=case(
            (_DONE, bindparam("done_comment", type_=_STEPS.comment.type)),
            else_=_STEPS.comment,
        ),
        activated_at=case(
            (_DONE, _STEPS.activated_at),
            else_=bindparam("next_at", type_=_STEPS.activated_at.type),
        ),
    )
)
# Steps a completion's move skipped (their condition false): rare, one statement.
_STORE_SKIPPED = (
    update(StepRecord.__table__)
    .where(_STEPS.id.in_(bindparam("skipped_ids", expanding=True)))
    .values(state=StepStatus.SKIPPED)
)


@dataclass(frozen=True)
class Completion:
    """What completing a step produced."""

    batch: Batch
    record: StepState
    deviations: list[Deviation]
    next_step: str | None
    container: Container | None = None

    @property
    def result(self) -> str:
        return "alert" if self.deviations else "ok"


@dataclass(frozen=True)
class _Accepted:
    """A completion every check accepted: who asked, who performs it (the signer, when it
    is signed), and what it will record."""

    user: User
    performer: User
    meaning: str | None
    outcome: StepOutcome
    traced: traceability.Traced
    hold: str | None
    comment: str | None


@dataclass(frozen=True)
class _Recorded:
    """What a completion wrote into the step's record."""

    values: dict[str, Any]
    calculated: dict[str, float]
    deviations: list[Deviation]
    container: Container | None

    def summary(self) -> dict[str, Any]:
        return {"values": self.values, "calculated": self.calculated}


@dataclass(frozen=True)
class _Moved:
    """Where moving a batch on took it: the step activated (if any) and the steps skipped."""

    activated: StepState | None
    skipped: list[StepState]


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
        status=BatchStatus.CREATED,
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
                state=StepStatus.PENDING,
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
    stage(
        session,
        BatchEvent(batch_id=batch.id, status=BatchStatus.CREATED, batch_number=batch_number),
    )
    return batch


async def start_batch(session: AsyncSession, user: User, batch_id: str) -> Batch:
    """Put a created batch in progress and activate its first applicable step."""
    batch = await locked_batch(session, batch_id)
    check_unlocked(batch)
    if not batch.status.startable:
        raise BatchNotInProgress(batch.batch_number, batch.status)
    batch.started_at = utcnow()
    batch.started_by = user.id
    await operators.worked_on(session, batch, user.id)
    await change_status(session, user, batch, BatchStatus.IN_PROGRESS, "batch.started")
    stage(session, BatchEvent(batch_id=batch.id, status=BatchStatus.IN_PROGRESS))
    definition = await batch_definition(session, batch)
    await _advance(session, user, batch, batch.steps, definition, batch_context(batch))
    return batch


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
    loaded = await step_context(session, batch_id)
    batch = loaded.batch
    record = loaded.step(step_id)
    await _check_completable(session, batch, record)
    definition = await batch_definition(session, batch)
    step = definition.step(step_id)
    with refusals_audited(user, batch, record, "step.completion_refused", values):
        check_role(user, step, "Performing")
        hold = _check_hold(loaded, step)
        context = loaded.expression_context()
        outcome = evaluate(step, values, context, comment)
        await check_photos(session, step, outcome.values)
        performer, meaning = await _performer(session, settings, user, loaded, step, signature)
        traced = await traceability.check(
            session, settings, user, batch, step, values, context, override, readings or NO_READINGS
        )
    accepted = _Accepted(user, performer, meaning, outcome, traced, hold, comment)
    recorded = await _record(session, loaded, record, step, accepted)
    await _sign(session, batch, record, accepted, recorded)
    await _audit(session, record, accepted, recorded)
    await holds.hold_for(session, user, batch, definition, recorded.deviations)
    # A held batch stays at this step (even its last): continuation moves it on.
    moved = (
        await _advance(session, user, batch, loaded.steps, definition, loaded.expression_context())
        if batch.status.executing
        else _Moved(None, [])
    )
    await _store_states(session, record, moved)
    await operators.performed(session, batch, loaded.steps, record, accepted.performer.id)
    next_step = moved.activated.step_id if moved.activated else None
    return Completion(batch, record, recorded.deviations, next_step, recorded.container)


async def _check_completable(session: AsyncSession, batch: Batch, record: StepRow) -> None:
    check_unlocked(batch)
    await holds.check_not_held(session, batch)
    if not batch.status.executing:
        raise BatchNotInProgress(batch.batch_number, batch.status)
    if record.state != StepStatus.ACTIVE:
        await performer_read(session, record)
        raise StepNotActive(record.step_id, step_summary(record))


def _check_hold(loaded: StepContext, step: Step) -> str | None:
    """The hold state of a timer step; completing before the minimum is refused."""
    if step.hold is None:
        return None
    since = loaded.step(step.hold.after).completed_at
    if since is None:
        return None
    status = hold_status(step.hold, since, utcnow())
    if status.state == "too_early":
        assert status.earliest is not None
        raise HoldNotElapsed(step.id, status.earliest)
    return status.state


async def _performer(
    session: AsyncSession,
    settings: Settings,
    user: User,
    loaded: StepContext,
    step: Step,
    signature: signatures.SignatureRequest | None,
) -> tuple[User, str | None]:
    """Who performs the step, and the meaning they sign with (None: no signature)."""
    subject = signatures.Subject("step", loaded.step(step.id).id, loaded.batch.id)
    if step.kind == "verification":
        assert step.verifies is not None
        verified = loaded.step(step.verifies)

        def not_the_performer(signer: User) -> None:
            if signer.id == verified.completed_by:
                raise SelfVerification(verified.step_id)

        authority = signatures.Authority(
            f"verifying step {step.verifies!r}", frozenset(step.verifier_roles), not_the_performer
        )
        signer = await signatures.authenticate_signer(
            session,
            settings,
            signature,
            meaning="verified",
            current_user=user,
            authority=authority,
            subject=subject,
        )
        return signer, "verified"
    if step.signature is None and signature is None:
        return user, None
    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning="performed",
        current_user=user,
        authority=signatures.Authority(f"performing step {step.id!r}", frozenset(step.roles)),
        subject=subject,
    )
    if signer.id != user.id:
        raise RoleNotPermitted("Signing as performer for someone else", ["the performer"])
    return signer, "performed"


async def _record(
    session: AsyncSession, loaded: StepContext, record: StepRow, step: Step, accepted: _Accepted
) -> _Recorded:
    """Write the step's values and material uses, complete it, and open its deviations."""
    performer, outcome, traced = accepted.performer, accepted.outcome, accepted.traced
    batch = loaded.batch
    now = utcnow()
    container, overridden = await traceability.record(session, performer, batch, step, traced)
    if step.yields is not None:
        assert traced.numbering is not None
        await outputs.produce(session, performer, batch, step, outcome.values, traced.numbering)
    entered = {**outcome.values, **traced.values}
    if step.dispense is not None:
        entered = _dispensed_values(step, traced, container)
    sources = {name: traced.sources.get(name, "entered") for name in entered}
    sources.update(dict.fromkeys(outcome.calculated, "calculated"))
    recorded = {**entered, **outcome.calculated}
    if recorded:
        first_revisions = [
            value_row(record, name, value, sources[name], 1, performer, now)
            for name, value in recorded.items()
        ]
        await (await session.connection()).execute(_INSERT_VALUES, first_revisions)
    loaded.values.setdefault(record.id, {}).update(recorded)
    # Kept in memory only; _store_states writes them with the next step's activation.
    record.state, record.completed_at, record.comment = StepStatus.COMPLETED, now, accepted.comment
    record.performer, record.completed_by = performer, performer.id
    await session.flush()
    opened = await deviations.open_for_step(
        session,
        performer,
        batch_id=batch.id,
        batch_number=batch.batch_number,
        step=step,
        alerts=outcome.alerts,
        comment=accepted.comment,
        hold_exceeded=accepted.hold == "exceeded",
    )
    opened += await departures.at_completion(
        session, performer, batch, record, step, traced, signed=accepted.meaning is not None
    )
    return _Recorded(entered, outcome.calculated, overridden + opened, container)


async def _store_states(session: AsyncSession, record: StepRow, moved: _Moved) -> None:
    """Write the completed step's row and the activation of the step that follows it (if
    any) in one statement, and the steps the move skipped (if any) in another."""
    connection = await session.connection()
    if moved.skipped:
        await connection.execute(_STORE_SKIPPED, {"skipped_ids": [s.id for s in moved.skipped]})
    activated = moved.activated or record
    stored = {
        "done_id": record.id,
        "done_state": record.state,
        "done_at": record.completed_at,
        "done_by": record.completed_by,
        "done_comment": record.comment,
        "next_id": activated.id,
        "next_state": activated.state,
        "next_at": activated.activated_at,
    }
    await connection.execute(_STORE_STATES, stored)


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


async def _sign(
    session: AsyncSession,
    batch: Batch,
    record: StepRow,
    accepted: _Accepted,
    recorded: _Recorded,
) -> None:
    """The performer's or verifier's e-signature over what the step recorded, if it takes one."""
    if accepted.meaning is None:
        return
    await signatures.apply(
        session,
        accepted.performer,
        accepted.meaning,
        {
            "batch_id": batch.id,
            "batch_number": batch.batch_number,
            "step_id": record.step_id,
            "procedure_content_hash": batch.procedure_version.content_hash,
            **recorded.summary(),
        },
        batch_id=batch.id,
        step_record_id=record.id,
        signed_in=accepted.user,
    )


async def _audit(
    session: AsyncSession, record: StepRow, accepted: _Accepted, recorded: _Recorded
) -> None:
    """Audit the completion as the signed-in user's act naming its signer, and announce it
    once committed."""
    performer = accepted.performer
    signed = {"signed_by": signatures.signed_by(performer)} if accepted.meaning else {}
    await audit.record(
        session,
        auth.actor_of(accepted.user),
        "step.completed",
        "step",
        record.id,
        old={"state": StepStatus.ACTIVE},
        new={
            "state": StepStatus.COMPLETED,
            "step_id": record.step_id,
            "performer_id": performer.id,
            **recorded.summary(),
            "comment": accepted.comment,
            **signed,
        },
        batch_id=record.batch_id,
    )
    stage(
        session,
        StepEvent(
            batch_id=record.batch_id,
            step_id=record.step_id,
            state=StepStatus.COMPLETED,
            by=performer.username,
            values=recorded.values,
            calculated=recorded.calculated,
            result="alert" if recorded.deviations else "ok",
        ),
    )


async def _advance(
    session: AsyncSession,
    user: User,
    batch: Batch,
    steps: Sequence[StepState],
    definition: ProcedureDefinition,
    context: dict[str, Any],
) -> _Moved:
    """Move the batch on as procedures.states.next_steps says, its expressions reading
    `context`, changing `steps` (its steps' records or rows) in memory: the caller's session
    writes records, a completion writes its rows (`_store_states`)."""
    records = {record.step_id: record for record in steps}
    states = {step_id: record.state for step_id, record in records.items()}
    following = next_steps(definition.steps(), states, context)
    actor = auth.actor_of(user)
    skipped: list[StepState] = []
    for step in following.skipped:
        record = records[step.id]
        record.state = StepStatus.SKIPPED
        skipped.append(record)
        await audit.record(
            session,
            actor,
            "step.skipped",
            "step",
            record.id,
            old={"state": StepStatus.PENDING},
            new={"state": StepStatus.SKIPPED, "step_id": record.step_id},
            reason=f"condition is false: {step.when}",
            batch_id=batch.id,
        )
        stage(
            session,
            StepEvent(batch_id=batch.id, step_id=record.step_id, state=StepStatus.SKIPPED),
        )
    if following.activated is not None:
        record = records[following.activated.id]
        record.state, record.activated_at = StepStatus.ACTIVE, utcnow()
        stage(
            session,
            StepEvent(batch_id=batch.id, step_id=record.step_id, state=StepStatus.ACTIVE),
        )
        return _Moved(record, skipped)
    if following.batch_completed:
        await _complete_batch(session, user, batch)
    return _Moved(None, skipped)


async def _complete_batch(session: AsyncSession, user: User, batch: Batch) -> None:
    """The batch's last step is done: complete it and release its equipment."""
    batch.completed_at = utcnow()
    await change_status(session, user, batch, BatchStatus.COMPLETED, "batch.completed")
    await equipment.release_for_batch(session, user, batch.id)
    stage(session, BatchEvent(batch_id=batch.id, status=BatchStatus.COMPLETED))
    await orders.report_completion(session, user, batch.id)


async def resume_batch(session: AsyncSession, user: User, batch: Batch) -> None:
    """Continuation of a held batch was approved: it goes on where it stopped (its next step,
    or completed when nothing is left; a batch held after it completed is completed again)."""
    if batch.completed_at is not None:
        await change_status(session, user, batch, BatchStatus.COMPLETED, "batch.resumed")
        stage(session, BatchEvent(batch_id=batch.id, status=BatchStatus.COMPLETED))
        return
    await change_status(session, user, batch, BatchStatus.IN_PROGRESS, "batch.resumed")
    stage(session, BatchEvent(batch_id=batch.id, status=BatchStatus.IN_PROGRESS))
    definition = await batch_definition(session, batch)
    await _advance(session, user, batch, batch.steps, definition, batch_context(batch))
