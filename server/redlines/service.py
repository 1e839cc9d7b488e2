"""Proposing, approving and rejecting redlines: in-run changes of one batch's procedure.

A supervisor proposes the whole definition the batch is to follow, with a reason; QA
approves it with an e-signature (meaning `approved`, not by the proposer). Approval makes
the batch follow it from its next step on, adds and removes the step records it names, and
opens a `procedure_change` deviation; the approved procedure version is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from procedures.diff import ProcedureDiff, diff_procedures
from procedures.loader import content_hash
from procedures.model import Procedure as ProcedureDefinition
from procedures.redlines import change_lines, redline_issues
from procedures.states import StepStatus
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches.lock import check_unlocked
from server.batches.models import Batch, StepRecord
from server.batches.record import locked_batch
from server.clock import utcnow
from server.config import Settings
from server.deviations import service as deviations
from server.library.drafts import validated
from server.redlines.definitions import batch_definition
from server.redlines.exceptions import (
    BatchNotRunning,
    RedlineDecided,
    RedlineNotFound,
    RedlineRefused,
    RedlineSelfApproval,
    RedlineStale,
)
from server.redlines.models import Redline
from server.signatures import service as signatures

APPROVERS = frozenset({"qa"})


async def _running(session: AsyncSession, batch_id: str) -> Batch:
    """The batch, locked for change, if it is not completed yet."""
    batch = await locked_batch(session, batch_id)
    check_unlocked(batch)
    if not batch.status.open:
        raise BatchNotRunning(batch.batch_number, batch.status)
    return batch


def _states(batch: Batch) -> dict[str, StepStatus]:
    return {record.step_id: record.state for record in batch.steps}


def _checked(
    current: ProcedureDefinition, proposed: ProcedureDefinition, batch: Batch
) -> ProcedureDiff:
    """The diff of an acceptable change; RedlineRefused naming each reason otherwise."""
    issues = redline_issues(current, proposed, _states(batch))
    diff = diff_procedures(current, proposed)
    if diff.unchanged:
        issues.append(("", "the proposed definition is the one the batch follows"))
    if issues:
        raise RedlineRefused(issues)
    return diff


def _current_hash(batch: Batch) -> str:
    return batch.redline_hash or batch.procedure_version.content_hash


async def propose(
    session: AsyncSession, user: User, batch_id: str, document: object, reason: str
) -> Redline:
    """Record a proposed change of the batch's procedure (audited); it has no effect until
    approved."""
    batch = await _running(session, batch_id)
    proposed = validated(document)
    current = await batch_definition(session, batch)
    diff = _checked(current, proposed, batch)
    count = await session.scalar(
        select(func.count()).select_from(Redline).where(Redline.batch_id == batch.id)
    )
    redline = Redline(
        batch_id=batch.id,
        number=(count or 0) + 1,
        status="proposed",
        reason=reason,
        base_hash=_current_hash(batch),
        content_hash=content_hash(proposed),
        definition=proposed.model_dump(mode="json"),
        diff=diff.as_json(),
        proposed_by=user.id,
        proposed_at=utcnow(),
        proposer=user,
        decider=None,
    )
    session.add(redline)
    await session.flush()
    await audit.record(
        session,
        auth.actor_of(user),
        "redline.proposed",
        "redline",
        redline.id,
        new={
            "number": redline.number,
            "status": "proposed",
            "base_hash": redline.base_hash,
            "content_hash": redline.content_hash,
            "diff": redline.diff,
        },
        reason=reason,
        batch_id=batch.id,
    )
    return redline


async def _proposed(session: AsyncSession, batch: Batch, redline_id: str) -> Redline:
    redline = await session.scalar(
        select(Redline)
        .where(Redline.id == redline_id, Redline.batch_id == batch.id)
        .execution_options(populate_existing=True)
    )
    if redline is None:
        raise RedlineNotFound(batch.id, redline_id)
    if redline.status != "proposed":
        raise RedlineDecided(redline.number, redline.status)
    return redline


def _not_the_proposer(redline: Redline) -> Callable[[User], None]:
    def check(signer: User) -> None:
        if signer.id == redline.proposed_by:
            raise RedlineSelfApproval()

    return check


async def approve(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch_id: str,
    redline_id: str,
    signature: signatures.SignatureRequest | None,
) -> Redline:
    """Approve a proposed redline with QA's e-signature: the batch follows it from now on,
    its step records follow its steps, and a `procedure_change` deviation records it."""
    batch = await _running(session, batch_id)
    redline = await _proposed(session, batch, redline_id)
    if redline.base_hash != _current_hash(batch):
        raise RedlineStale(redline.number)
    current = await batch_definition(session, batch)
    proposed = validated(redline.definition)
    # Steps may have been started since it was proposed.
    _checked(current, proposed, batch)
    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning="approved",
        current_user=user,
        authority=signatures.Authority(
            f"approving redline {redline.number} of batch {batch.batch_number}",
            APPROVERS,
            _not_the_proposer(redline),
        ),
        subject=signatures.Subject("redline", redline.id, batch.id),
    )
    signed = await signatures.apply(
        session,
        signer,
        "approved",
        {
            "batch_id": batch.id,
            "batch_number": batch.batch_number,
            "redline": redline.number,
            "reason": redline.reason,
            "base_hash": redline.base_hash,
            "content_hash": redline.content_hash,
        },
        batch_id=batch.id,
        signed_in=user,
    )
    actor = auth.actor_of(user)
    await _follow_steps(session, actor, batch, proposed, redline)
    deviation = await deviations.open_deviation(
        session,
        user,
        batch_id=batch.id,
        batch_number=batch.batch_number,
        step_id=None,
        kind="procedure_change",
        severity="minor",
        title=f"Procedure changed for this batch (redline {redline.number})",
        detail="Change to the master procedure for this batch only: "
        + "; ".join(change_lines(redline.diff))
        + ".",
        comment=redline.reason,
    )
    now = utcnow()
    redline.status, redline.decided_by, redline.decided_at = "approved", signer.id, now
    redline.decider, redline.signature_id, redline.deviation_id = signer, signed.id, deviation.id
    old_hash, batch.redline_hash = _current_hash(batch), redline.content_hash
    await audit.record(
        session,
        actor,
        "redline.approved",
        "redline",
        redline.id,
        old={"status": "proposed", "content_hash": old_hash},
        new={
            "status": "approved",
            "number": redline.number,
            "content_hash": redline.content_hash,
            "signed_by": signatures.signed_by(signer),
            "deviation": deviation.number,
            "diff": redline.diff,
        },
        reason=redline.reason,
        batch_id=batch.id,
    )
    return redline


async def _follow_steps(
    session: AsyncSession,
    actor: audit.Actor,
    batch: Batch,
    definition: ProcedureDefinition,
    redline: Redline,
) -> None:
    """Make the batch's step records those of `definition`, in its order: records of
    removed (never started) steps go, steps added get pending records; each audited."""
    records = {record.step_id: record for record in batch.steps}
    wanted = [step.id for step in definition.steps()]
    why = f"redline {redline.number}: {redline.reason}"
    for step_id in sorted(set(records) - set(wanted)):
        record = records.pop(step_id)
        await session.delete(record)
        await audit.record(
            session,
            actor,
            "step.removed",
            "step",
            record.id,
            old={"step_id": step_id, "state": record.state},
            reason=why,
            batch_id=batch.id,
        )
    ordered = []
    for position, step_id in enumerate(wanted):
        operation = definition.operation_of(step_id).id
        record = records.get(step_id)
        if record is None:
            record = StepRecord(
                batch_id=batch.id,
                step_id=step_id,
                operation_id=operation,
                position=position,
                state=StepStatus.PENDING,
                values=[],
                performer=None,
            )
            session.add(record)
            await session.flush()
            await audit.record(
                session,
                actor,
                "step.added",
                "step",
                record.id,
                new={"step_id": step_id, "operation_id": operation, "position": position},
                reason=why,
                batch_id=batch.id,
            )
        record.position, record.operation_id = position, operation
        ordered.append(record)
    await session.flush()
    set_committed_value(batch, "steps", ordered)


async def reject(
    session: AsyncSession, user: User, batch_id: str, redline_id: str, reason: str
) -> Redline:
    """Turn a proposed redline down with a reason (audited); the batch is unchanged."""
    batch = await _running(session, batch_id)
    redline = await _proposed(session, batch, redline_id)
    redline.status, redline.decided_by, redline.decided_at = "rejected", user.id, utcnow()
    redline.decider, redline.decision_comment = user, reason
    await audit.record(
        session,
        auth.actor_of(user),
        "redline.rejected",
        "redline",
        redline.id,
        old={"status": "proposed"},
        new={"status": "rejected", "number": redline.number},
        reason=reason,
        batch_id=batch.id,
    )
    return redline


async def for_batch(session: AsyncSession, batch_id: str) -> Sequence[Redline]:
    """A batch's redlines, in the order they were proposed."""
    return (
        await session.scalars(
            select(Redline).where(Redline.batch_id == batch_id).order_by(Redline.number)
        )
    ).all()
