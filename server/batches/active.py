"""Which step of a batch is active: what photos, snapshots and annotations attach to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.states import StepStatus
from server.batches.models import StepRecord


async def active_step_id(session: AsyncSession, batch_id: str) -> str | None:
    """The id of the batch's active step, or None when no step is active."""
    query = select(StepRecord.step_id).where(
        StepRecord.batch_id == batch_id, StepRecord.state == StepStatus.ACTIVE
    )
    return (await session.execute(query.limit(1))).scalar_one_or_none()
