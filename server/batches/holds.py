"""Blocking exceptions: a deviation the procedure marks as blocking holds its batch.

The batch goes `on_hold` at the step that raised it; no step is completed until a supervisor
or QA approves continuation (procedure.holds.approvals approvals, each e-signed, never by the
person who raised it; `server.batches.continuation`). Which deviations block is the
procedure's to say (`procedures.holds.is_blocking`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.holds import is_blocking
from procedures.model import Procedure as ProcedureDefinition
from procedures.states import BatchStatus
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches.exceptions import BatchOnHold
from server.batches.hold_views import HoldView, hold_views
from server.batches.models import Batch, BatchHold
from server.batches.transitions import change_status
from server.clock import isoformat, utcnow
from server.deviations.models import Deviation
from server.events.schemas import BatchEvent, HoldEvent
from server.events.staging import stage


async def hold_for(
    session: AsyncSession,
    user: User,
    batch: Batch,
    definition: ProcedureDefinition,
    deviations: Iterable[Deviation],
) -> list[BatchHold]:
    """Mark each blocking deviation as such and hold the batch for it; the batch goes
    `on_hold` (a batch already completed too: it completes again once continuation is
    approved). `user` is who did what raised them."""
    raised = [
        await _raise(session, user, batch, definition, deviation)
        for deviation in deviations
        if is_blocking(definition, deviation.kind, deviation.step_id, deviation.field)
    ]
    if raised and batch.status != BatchStatus.ON_HOLD:
        reasons = "; ".join(hold.reason for hold in raised)
        await change_status(session, user, batch, BatchStatus.ON_HOLD, "batch.held", reasons)
        stage(session, BatchEvent(batch_id=batch.id, status=BatchStatus.ON_HOLD))
    return raised


async def _raise(
    session: AsyncSession,
    user: User,
    batch: Batch,
    definition: ProcedureDefinition,
    deviation: Deviation,
) -> BatchHold:
    deviation.blocking = True
    hold = BatchHold(
        batch_id=batch.id,
        step_id=deviation.step_id,
        deviation_id=deviation.id,
        reason=deviation.title,
        raised_by=deviation.opened_by,
        raised_at=utcnow(),
        approvals_required=definition.holds.approvals,
        approvals=[],
    )
    session.add(hold)
    await session.flush()
    await audit.record(
        session,
        auth.actor_of(user),
        "hold.raised",
        "hold",
        hold.id,
        new={
            "step_id": hold.step_id,
            "deviation": deviation.number,
            "reason": hold.reason,
            "raised_by": deviation.opened_by,
            "raised_at": isoformat(hold.raised_at),
            "approvals_required": hold.approvals_required,
        },
        batch_id=batch.id,
    )
    announce(session, hold, "raised", user)
    return hold


def announce(session: AsyncSession, hold: BatchHold, state: str, by: User) -> None:
    """Tell the batch's subscribers, once committed, what happened to a hold."""
    stage(
        session,
        HoldEvent(
            batch_id=hold.batch_id,
            hold_id=hold.id,
            state=state,  # type: ignore[arg-type]
            step_id=hold.step_id,
            reason=hold.reason,
            by=by.username,
        ),
    )


async def unlifted(session: AsyncSession, batch_id: str) -> list[HoldView]:
    """The batch's holds still waiting for continuation, oldest first."""
    return [view for view in await hold_views(session, batch_id) if view.hold.lifted_at is None]


async def check_not_held(session: AsyncSession, batch: Batch) -> None:
    """Refuse to go on with a held batch, naming the exception that holds it (BatchOnHold)."""
    if batch.status != BatchStatus.ON_HOLD:
        return
    waiting = await unlifted(session, batch.id)
    if waiting:
        raise BatchOnHold(batch.batch_number, waiting[0].describe())
    raise BatchOnHold(
        batch.batch_number, {"reason": "held with no hold on record", "deviation_number": None}
    )
