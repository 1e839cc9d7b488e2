"""The investigation of a deviation: facts added (open → investigating), then closed by QA
with a conclusion, or cancelled with a reason, each decision e-signed (meaning `approved`).

Every change is audited with the values before and after, and announced on the batch's
WebSocket once committed. A closed or cancelled deviation, or one of a released or rejected
batch, takes no more changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch
from server.clock import utcnow
from server.config import Settings
from server.deviations import service as deviations
from server.deviations.exceptions import (
    BatchLocked,
    DeviationResolved,
    FactsMissing,
    NothingChanged,
    SeverityReservedToQa,
    StepNotOfBatch,
)
from server.deviations.models import Deviation
from server.deviations.states import DeviationStatus
from server.events.schemas import DeviationEvent
from server.events.staging import stage
from server.signatures import service as signatures

QA: frozenset[str] = frozenset({"qa"})
# What closing needs on record first: an investigation with no impact or cause is not done.
REQUIRED_TO_CLOSE = ("impact", "root_cause")


@dataclass(frozen=True)
class Facts:
    """What an investigator may change; None leaves a fact as it is."""

    description: str | None = None
    impact: str | None = None
    root_cause: str | None = None
    capa: list[str] | None = None
    severity: str | None = None

    def given(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if value is not None}


# The API names the description `description`; the record keeps it as `detail`.
_COLUMN = {"description": "detail"}


async def update_facts(
    session: AsyncSession, user: User, deviation_id: str, facts: Facts, reason: str | None
) -> Deviation:
    """Record new facts of the investigation; the first change starts it (investigating).
    Only QA grades the severity."""
    deviation = await _changeable(session, deviation_id)
    given = facts.given()
    old = {name: getattr(deviation, _COLUMN.get(name, name)) for name in given}
    changed = {name: value for name, value in given.items() if old[name] != value}
    if "severity" in changed and not user.has_any_role(QA):
        raise SeverityReservedToQa()
    if not changed:
        raise NothingChanged(deviation.number)
    before = {name: old[name] for name in changed}
    for name, value in changed.items():
        setattr(deviation, _COLUMN.get(name, name), value)
    if deviation.status == DeviationStatus.OPEN:
        before["status"], changed["status"] = deviation.status, DeviationStatus.INVESTIGATING
        deviation.status = DeviationStatus.INVESTIGATING
    deviation.updated_at = utcnow()
    await _audit(session, user, deviation, "updated", before, changed, reason)
    return deviation


async def close(
    session: AsyncSession,
    settings: Settings,
    user: User,
    deviation_id: str,
    *,
    conclusion: str,
    signature: signatures.SignatureRequest | None,
) -> Deviation:
    """QA's signed conclusion of an investigation whose impact and root cause are known."""
    deviation = await _changeable(session, deviation_id)
    missing = [name for name in REQUIRED_TO_CLOSE if not getattr(deviation, name)]
    if missing:
        raise FactsMissing(deviation.number, missing)
    deviation.conclusion = conclusion
    await _decide(session, settings, user, deviation, DeviationStatus.CLOSED, signature, conclusion)
    return deviation


async def cancel(
    session: AsyncSession,
    settings: Settings,
    user: User,
    deviation_id: str,
    *,
    reason: str,
    signature: signatures.SignatureRequest | None,
) -> Deviation:
    """QA's signed withdrawal of a deviation that was raised in error."""
    deviation = await _changeable(session, deviation_id)
    deviation.cancel_reason = reason
    await _decide(session, settings, user, deviation, DeviationStatus.CANCELLED, signature, reason)
    return deviation


async def raise_observation(
    session: AsyncSession,
    user: User,
    batch_id: str,
    *,
    title: str,
    description: str,
    step_id: str | None,
    severity: str,
) -> Deviation:
    """A departure a person on the floor noticed, opened as a deviation of kind
    `observation`."""
    batch = await _locked_batch(session, batch_id, with_steps=True)
    if step_id is not None and step_id not in {record.step_id for record in batch.steps}:
        raise StepNotOfBatch(step_id, batch.batch_number)
    return await deviations.open_deviation(
        session,
        user,
        batch_id=batch.id,
        batch_number=batch.batch_number,
        step_id=step_id,
        kind="observation",
        severity=severity,
        title=title,
        detail=description,
    )


async def _locked_batch(session: AsyncSession, batch_id: str, *, with_steps: bool) -> Batch:
    """The batch, its row held until commit; refused when it is released or rejected."""
    query = (
        select(Batch)
        .where(Batch.id == batch_id)
        .with_for_update(of=Batch)
        .execution_options(populate_existing=True)
    )
    if with_steps:
        query = query.options(selectinload(Batch.steps))
    batch = await session.scalar(query)
    if batch is None:
        raise BatchNotFound(batch_id)
    if batch.status.locked:
        raise BatchLocked(batch.batch_number, batch.status)
    return batch


async def _changeable(session: AsyncSession, deviation_id: str) -> Deviation:
    """The deviation, locked for change (its batch first, as a step's completion locks it),
    if it still takes changes."""
    found = await deviations.find(session, deviation_id)
    await _locked_batch(session, found.batch_id, with_steps=False)
    deviation = await deviations.find(session, deviation_id, for_update=True)
    if not deviation.status.unresolved:
        raise DeviationResolved(deviation.number, deviation.status)
    return deviation


async def _decide(
    session: AsyncSession,
    settings: Settings,
    user: User,
    deviation: Deviation,
    status: Literal[DeviationStatus.CLOSED, DeviationStatus.CANCELLED],
    signature: signatures.SignatureRequest | None,
    why: str,
) -> None:
    """Close or cancel the deviation under QA's e-signature (meaning `approved`)."""
    act = "closing" if status == DeviationStatus.CLOSED else "cancelling"
    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning="approved",
        current_user=user,
        authority=signatures.Authority(f"{act} deviation {deviation.number}", QA),
        subject=signatures.Subject("deviation", deviation.id, deviation.batch_id),
    )
    now = utcnow()
    previous = deviation.status
    deviation.status, deviation.updated_at, deviation.closed_at = status, now, now
    deviation.closed_by, deviation.closer = signer.id, signer
    decided = {
        "status": status,
        "conclusion": deviation.conclusion,
        "cancel_reason": deviation.cancel_reason,
    }
    deviation.signature = await signatures.apply(
        session,
        signer,
        "approved",
        {
            "deviation_id": deviation.id,
            "number": deviation.number,
            "batch_id": deviation.batch_id,
            "severity": deviation.severity,
            "impact": deviation.impact,
            "root_cause": deviation.root_cause,
            "capa": deviation.capa,
            **decided,
        },
        batch_id=deviation.batch_id,
        signed_in=user,
    )
    change = "closed" if status == DeviationStatus.CLOSED else "cancelled"
    new = {**decided, "signed_by": signatures.signed_by(signer)}
    await _audit(session, user, deviation, change, {"status": previous}, new, why)


async def _audit(
    session: AsyncSession,
    user: User,
    deviation: Deviation,
    change: Literal["updated", "closed", "cancelled"],
    old: dict[str, Any],
    new: dict[str, Any],
    reason: str | None,
) -> None:
    """Audit the change with its values before and after, and announce it once committed."""
    await audit.record(
        session,
        auth.actor_of(user),
        f"deviation.{change}",
        "deviation",
        deviation.id,
        old=old,
        new=new,
        reason=reason,
        batch_id=deviation.batch_id,
    )
    stage(
        session,
        DeviationEvent(
            batch_id=deviation.batch_id,
            deviation_id=deviation.id,
            number=deviation.number,
            step_id=deviation.step_id,
            severity=deviation.severity,
            title=deviation.title,
            status=deviation.status,
            change=change,
        ),
    )
