"""Correcting values a completed step recorded: a new revision with a reason, never an edit.

Correcting signed or verified data is itself e-signed by the corrector (meaning `corrected`);
the earlier signatures stay, shown in the record as applying to the revisions they signed.
Calculations of other steps that used a corrected value are recomputed and re-checked, and a
correction that would change a branch the batch already took is refused. A verification of a
corrected step is superseded and opens a deviation asking to verify again; a correction after
the batch completed opens a deviation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Procedure as ProcedureDefinition
from procedures.model import Step
from procedures.states import StepStatus
from server.audit import service as audit
from server.auth import service as auth
from server.auth.exceptions import RoleNotPermitted
from server.auth.models import User
from server.batches import holds
from server.batches.checks import check_photos, check_role, evaluate, refusals_audited
from server.batches.exceptions import (
    BatchNotInProgress,
    NotCorrectable,
    NothingToCorrect,
    TracedValueNotCorrectable,
)
from server.batches.lock import check_unlocked
from server.batches.models import Batch, StepRecord, StepValue
from server.batches.recalculation import (
    Recalculated,
    check_branches,
    recalculate,
    verifications_of,
)
from server.batches.record import (
    batch_context,
    current_values,
    locked_batch,
    step_record,
    value_row,
)
from server.clock import utcnow
from server.config import Settings
from server.deviations import service as deviations
from server.deviations.models import Deviation
from server.events.schemas import StepEvent
from server.events.staging import stage
from server.redlines.definitions import batch_definition
from server.signatures import service as signatures
from server.signatures.models import Signature

# Values that record facts from scans and balances: corrected by a deviation, never by typing.
TRACED = frozenset({"scan", "balance", "manual", "dispensed"})


@dataclass(frozen=True)
class Correction:
    """What a correction changed: its values, the calculations recomputed in other steps
    (by step id), and the deviations it opened."""

    batch: Batch
    record: StepRecord
    changed: dict[str, Any]
    recalculated: dict[str, dict[str, float]]
    deviations: list[Deviation]


def previous_sources(record: StepRecord) -> dict[str, str]:
    """Where the latest revision of each value of a step came from."""
    return {value.name: value.source for value in record.values}


async def correct_step(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch_id: str,
    step_id: str,
    *,
    values: Mapping[str, Any],
    reason: str,
    comment: str | None,
    signature: signatures.SignatureRequest | None = None,
) -> Correction:
    """Correct recorded values with a reason; every earlier revision stays in the record."""
    batch = await locked_batch(session, batch_id)
    record = step_record(batch, step_id)
    check_unlocked(batch)
    if not batch.status.correctable:
        raise BatchNotInProgress(batch.batch_number, batch.status)
    if record.state != StepStatus.COMPLETED:
        raise NotCorrectable(step_id, record.state)
    definition = await batch_definition(session, batch)
    step = definition.step(step_id)
    previous = current_values(record)
    entered = {v.name: v.value for v in record.values if v.source != "calculated"}
    traced = sorted(name for name in values if previous_sources(record).get(name) in TRACED)
    with refusals_audited(user, batch, record, "step.correction_refused", values):
        check_role(user, step, "Correcting")
        if traced:
            raise TracedValueNotCorrectable(step_id, traced)
        outcome = evaluate(step, {**entered, **values}, batch_context(batch), comment)
        await check_photos(session, step, values)
        changed = {
            name: value
            for name, value in {**outcome.values, **outcome.calculated}.items()
            if previous.get(name) != value
        }
        if not changed:
            raise NothingToCorrect(step_id)
        recalculated = recalculate(definition, batch, record, changed, reason)
        check_branches(definition, batch, changed, recalculated)
        affected = {record.step_id, *(r.record.step_id for r in recalculated)}
        superseded = verifications_of(definition, batch, affected)
        signs = signature is not None or await _signed(
            session, step, [record, *(r.record for r in recalculated), *superseded]
        )
        if signs:
            await _authenticate_corrector(session, settings, user, batch, record, step, signature)
    await _audit(session, user, batch, record, previous, changed, recalculated, reason)
    now = utcnow()
    _write(record, changed, outcome.calculated, user, now, reason)
    for found in recalculated:
        why = f"recalculated after the correction of step {step_id!r}: {reason}"
        _write(found.record, found.values, found.values, user, now, why)
    if signs:
        await _sign(session, user, batch, record, reason)
    opened = await deviations.open_for_step(
        session,
        user,
        batch_id=batch.id,
        batch_number=batch.batch_number,
        step=step,
        alerts=[alert for alert in outcome.alerts if alert.field in changed],
        comment=comment,
        correction=True,
    )
    opened += await _consequences(
        session, user, batch, definition, step, recalculated, superseded, reason
    )
    await holds.hold_for(session, user, batch, definition, opened)
    await session.flush()
    for changed_record in (record, *(r.record for r in recalculated)):
        await session.refresh(changed_record, ["values"])
    _announce(session, user, batch, record, changed, recalculated)
    by_step = {r.record.step_id: r.values for r in recalculated}
    return Correction(batch, record, changed, by_step, opened)


async def _signed(session: AsyncSession, step: Step, records: list[StepRecord]) -> bool:
    """Whether any of the records a correction touches carries an e-signature (or the step
    takes one)."""
    if step.signature is not None:
        return True
    ids = [record.id for record in records]
    found = await session.scalar(select(Signature.id).where(Signature.step_record_id.in_(ids)))
    return found is not None


async def _authenticate_corrector(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch: Batch,
    record: StepRecord,
    step: Step,
    signature: signatures.SignatureRequest | None,
) -> None:
    """The corrector's own e-signature, through the signing rule."""
    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning="corrected",
        current_user=user,
        authority=signatures.Authority(f"correcting step {step.id!r}", frozenset(step.roles)),
        subject=signatures.Subject("step", record.id, batch.id),
    )
    if signer.id != user.id:
        raise RoleNotPermitted("Signing a correction for someone else", ["the corrector"])


def _write(
    record: StepRecord,
    values: Mapping[str, Any],
    calculated: Mapping[str, Any],
    user: User,
    now: datetime,
    reason: str,
) -> None:
    """A new revision of each value, after the latest."""
    revisions = {value.name: value.revision for value in record.values}
    for name, value in values.items():
        source = "calculated" if name in calculated else "entered"
        revision = revisions.get(name, 0) + 1
        revised = StepValue(**value_row(record, name, value, source, revision, user, now, reason))
        record.values.append(revised)


async def _audit(
    session: AsyncSession,
    user: User,
    batch: Batch,
    record: StepRecord,
    previous: Mapping[str, Any],
    changed: Mapping[str, Any],
    recalculated: list[Recalculated],
    reason: str,
) -> None:
    """One entry for the correction, one for each step whose calculations it changed."""
    actor = auth.actor_of(user)
    await audit.record(
        session,
        actor,
        "value.corrected",
        "step",
        record.id,
        old={name: previous.get(name) for name in changed},
        new=dict(changed),
        reason=reason,
        batch_id=batch.id,
    )
    for found in recalculated:
        before = current_values(found.record)
        await audit.record(
            session,
            actor,
            "value.recalculated",
            "step",
            found.record.id,
            old={name: before.get(name) for name in found.values},
            new=found.values,
            reason=f"correction of step {record.step_id!r}: {reason}",
            batch_id=batch.id,
        )


async def _sign(
    session: AsyncSession, user: User, batch: Batch, record: StepRecord, reason: str
) -> None:
    """The corrector's signature over the step's values as corrected."""
    await signatures.apply(
        session,
        user,
        "corrected",
        {
            "batch_id": batch.id,
            "batch_number": batch.batch_number,
            "step_id": record.step_id,
            "procedure_content_hash": batch.procedure_version.content_hash,
            "values": current_values(record),
            "reason": reason,
        },
        batch_id=batch.id,
        step_record_id=record.id,
    )


async def _consequences(
    session: AsyncSession,
    user: User,
    batch: Batch,
    definition: ProcedureDefinition,
    step: Step,
    recalculated: list[Recalculated],
    superseded: list[StepRecord],
    reason: str,
) -> list[Deviation]:
    """The deviations a correction opens beyond its own values' alerts: recomputed results in
    their alert band, verifications to repeat, and any correction of a completed batch. Their
    details name the steps by title, as people read them."""
    opened: list[Deviation] = []
    for found in recalculated:
        opened += await deviations.open_for_step(
            session,
            user,
            batch_id=batch.id,
            batch_number=batch.batch_number,
            step=found.step,
            alerts=found.alerts,
            comment=reason,
            correction=True,
        )
    on_batch = {"batch_id": batch.id, "batch_number": batch.batch_number, "comment": reason}
    for verification in superseded:
        verifying = definition.step(verification.step_id).title
        opened.append(
            await deviations.open_deviation(
                session,
                user,
                **on_batch,
                step_id=verification.step_id,
                kind="reverification_required",
                severity="minor",
                title="Verified values corrected: verify again",
                detail=(
                    f"A correction of step “{step.title}” changed values that step "
                    f"“{verifying}” verified; its verification no longer applies."
                ),
            )
        )
    if batch.completed_at is not None:  # completed, or held after it completed
        opened.append(
            await deviations.open_deviation(
                session,
                user,
                **on_batch,
                step_id=step.id,
                kind="correction_after_completion",
                severity="major",
                title=f"“{step.title}” corrected after the batch completed",
                detail=f"Step “{step.title}” was corrected after the batch completed.",
            )
        )
    return opened


def _announce(
    session: AsyncSession,
    user: User,
    batch: Batch,
    record: StepRecord,
    changed: Mapping[str, Any],
    recalculated: list[Recalculated],
) -> None:
    """Tell subscribers which values changed, once committed."""
    for step_id, values in [(record.step_id, changed)] + [
        (r.record.step_id, r.values) for r in recalculated
    ]:
        stage(
            session,
            StepEvent(
                batch_id=batch.id,
                step_id=step_id,
                state=StepStatus.COMPLETED,
                corrected=dict(values),
                by=user.username,
            ),
        )
