"""The write rules for what is added beside a batch's steps: annotations, chat messages,
photos, snapshots, recordings and live streams. The batch must exist and be open (not yet
completed; a released or rejected batch is locked); a step named must be one of the batch's
steps, and none named means the active one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.batches.active import active_step_id
from server.batches.exceptions import BatchNotFound, BatchRecordClosed, StepNotOfBatch
from server.batches.lock import check_unlocked
from server.batches.models import Batch, StepRecord


async def unlocked_batch(session: AsyncSession, batch_id: str) -> Batch:
    """The batch, which must exist (BatchNotFound) and not be released or rejected
    (BatchLocked)."""
    batch = await session.get(Batch, batch_id)
    if batch is None:
        raise BatchNotFound(batch_id)
    check_unlocked(batch)
    return batch


async def open_batch(session: AsyncSession, batch_id: str) -> Batch:
    """The batch, which must exist (BatchNotFound), not be locked (BatchLocked) and still take
    remarks (BatchRecordClosed)."""
    batch = await unlocked_batch(session, batch_id)
    if not batch.status.open:
        raise BatchRecordClosed(batch.batch_number, batch.status)
    return batch


async def step_of(session: AsyncSession, batch_id: str, step_id: str | None) -> str | None:
    """The step a remark is about: the one named (a step of the batch), else the active one."""
    if step_id is None:
        return await active_step_id(session, batch_id)
    found = await session.scalar(
        select(StepRecord.step_id).where(
            StepRecord.batch_id == batch_id, StepRecord.step_id == step_id
        )
    )
    if found is None:
        raise StepNotOfBatch(step_id, batch_id)
    return step_id
