"""The operator filter as it was before the batch_operators table, to compare against."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from server.auth.models import User
from server.batches.models import Batch, StepRecord
from server.db.engine import open_database

USERS = ("olivia", "omar", "sam", "quinn")


async def batches_worked_on(database_url: str, username: str) -> set[str]:
    """Numbers of the batches `username` started or performed a step of, read from the
    batches and their step records (the filter's definition, with no helper table)."""
    database = open_database(database_url)
    try:
        async with database.sessions(readonly=True)() as session:
            person = select(User.id).where(User.username == username).scalar_subquery()
            performed = exists().where(
                StepRecord.batch_id == Batch.id, StepRecord.completed_by == person
            )
            numbers = await session.scalars(
                select(Batch.batch_number).where(or_(Batch.started_by == person, performed))
            )
            return set(numbers)
    finally:
        await database.dispose()
