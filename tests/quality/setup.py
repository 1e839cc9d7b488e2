"""What the quality tests set up that no endpoint of this branch can: time that has passed,
and a batch decided by QA."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from server.batches.models import Batch, StepRecord
from server.clock import utcnow
from server.config import Settings
from server.db.engine import open_database


async def _execute(settings: Settings, statement: object) -> None:
    database = open_database(settings.effective_database_url)
    try:
        async with database.writer.begin() as connection:
            await connection.execute(statement)
    finally:
        await database.dispose()


async def activated_minutes_ago(
    settings: Settings, batch_id: str, step_id: str, minutes: float
) -> None:
    """As if the step had become active `minutes` ago."""
    await _execute(
        settings,
        update(StepRecord)
        .where(StepRecord.batch_id == batch_id, StepRecord.step_id == step_id)
        .values(activated_at=utcnow() - timedelta(minutes=minutes)),
    )


async def decided(settings: Settings, batch_id: str, status: str) -> None:
    """As if QA had released or rejected the batch (release is issue 11's review helper's)."""
    await _execute(settings, update(Batch).where(Batch.id == batch_id).values(status=status))
