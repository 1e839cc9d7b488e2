"""Who worked on a batch: its starter and every performer of one of its steps.

Kept as rows of `batch_operators` (one per person and batch, with the batch's creation
time) when a batch is started and when a step is completed, so the batch list narrowed to
an operator is one index range in list order. Bulk writers (the demo history, the list
benchmark) derive the same rows with `rows_for`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from server.batches.models import Batch, BatchOperator
from server.batches.step_rows import StepState

_TABLE = BatchOperator.__table__
_ADD = {
    name: dialect.insert(_TABLE).on_conflict_do_nothing(
        index_elements=[_TABLE.c.user_id, _TABLE.c.batch_id]
    )
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


async def worked_on(session: AsyncSession, batch: Batch, user_id: str) -> None:
    """Note that `user_id` worked on `batch` (nothing if already noted)."""
    await session.execute(
        _ADD[session.get_bind().dialect.name],
        {"user_id": user_id, "batch_id": batch.id, "created_at": batch.created_at},
    )


async def performed(
    session: AsyncSession,
    batch: Batch,
    steps: Iterable[StepState],
    record: StepState,
    user_id: str,
) -> None:
    """Note the performer of `record`, one of the batch's `steps`, unless they show them
    noted already (its starter, or the performer of another step): most completions send
    nothing."""
    if user_id != batch.started_by and all(
        step.completed_by != user_id for step in steps if step is not record
    ):
        await worked_on(session, batch, user_id)


def rows_for(batch: Mapping[str, Any], steps: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The batch_operators rows of a batch and its step records given as table rows."""
    people = {batch["started_by"]} | {step["completed_by"] for step in steps}
    return [
        {"user_id": person, "batch_id": batch["id"], "created_at": batch["created_at"]}
        for person in sorted(people - {None})
    ]


def joined(person: str) -> ColumnElement[bool]:
    """The join of a batch to its row of `person`."""
    return and_(BatchOperator.batch_id == Batch.id, BatchOperator.user_id == person)
