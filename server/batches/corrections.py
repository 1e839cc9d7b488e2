"""Correcting values a completed step recorded: a new revision with a reason, never an edit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.states import StepStatus
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches.checks import check_photos, check_role, evaluate, refusals_audited
from server.batches.exceptions import (
    BatchNotInProgress,
    NotCorrectable,
    NothingToCorrect,
    TracedValueNotCorrectable,
)
from server.batches.models import Batch, StepRecord
from server.batches.record import (
    batch_context,
    current_values,
    locked_batch,
    step_record,
    value_revision,
)
from server.clock import utcnow
from server.deviations import service as deviations
from server.deviations.models import Deviation
from server.events.schemas import StepEvent
from server.events.staging import stage
from server.library import service as library

# Values that record facts from scans and balances: corrected by a deviation, never by typing.
TRACED = frozenset({"scan", "balance", "manual", "dispensed"})


def previous_sources(record: StepRecord) -> dict[str, str]:
    """Where the latest revision of each value of a step came from."""
    return {value.name: value.source for value in record.values}


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
    batch = await locked_batch(session, batch_id)
    record = step_record(batch, step_id)
    if not batch.status.correctable:
        raise BatchNotInProgress(batch.batch_number, batch.status)
    if record.state != StepStatus.COMPLETED:
        raise NotCorrectable(step_id, record.state)
    step = library.definition_of(batch.procedure_version).step(step_id)
    previous = current_values(record)
    revisions = {value.name: value.revision for value in record.values}
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
    now = utcnow()
    for name, value in changed.items():
        source = "calculated" if name in outcome.calculated else "entered"
        revision = revisions.get(name, 0) + 1
        session.add(value_revision(record, name, value, source, revision, user, now, reason))
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
    opened = await deviations.open_for_step(
        session,
        user,
        batch_id=batch.id,
        batch_number=batch.batch_number,
        step_id=step_id,
        alerts=[alert for alert in outcome.alerts if alert.field in changed],
        comment=comment,
        correction=True,
    )
    await session.flush()
    await session.refresh(record, ["values"])
    stage(
        session,
        StepEvent(
            batch_id=batch.id,
            step_id=step_id,
            state=StepStatus.COMPLETED,
            corrected=changed,
            by=user.username,
        ),
    )
    return batch, opened
