"""Reading a batch to complete one of its steps: its row as an ORM object (holds and status
changes write it), its steps and the values recorded so far as plain rows.

A completion changes two steps of a batch (the one completed and the one it activates) and
reads the others' states; it builds no ORM object per step or per value. The steps are read
with Core on the session's connection (no identity map, no ORM result processing), changed
in memory as `StepRow`s and written back with Core (`execution._store_states`). Corrections,
continuation and the record load the full graph (`record.locked_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from procedures.states import StepStatus, execution_context
from server.auth.models import User
from server.batches.exceptions import BatchNotFound, StepNotFound
from server.batches.models import Batch, StepRecord, StepValue
from server.batches.record import LOCK_BATCH, VERSION_UNLOADED

_STEP_TABLE, _VALUE_TABLE = StepRecord.__table__, StepValue.__table__
_S, _V = _STEP_TABLE.c, _VALUE_TABLE.c
_ROW_COLUMNS = (
    _S.id,
    _S.batch_id,
    _S.step_id,
    _S.state,
    _S.activated_at,
    _S.completed_at,
    _S.completed_by,
    _S.comment,
)
_WIDTH = len(_ROW_COLUMNS)
_STEPS_AND_VALUES = _STEP_TABLE.outerjoin(_VALUE_TABLE, _V.step_record_id == _S.id)
# The value of every revision in order: a later revision replaces an earlier one as the rows
# are read.
_IN_ORDER = (_S.position, _V.name, _V.revision)
_STEPS = (
    select(*_ROW_COLUMNS, _V.name, _V.value)
    .select_from(_STEPS_AND_VALUES)
    .where(_S.batch_id == bindparam("batch_id"))
    .order_by(*_IN_ORDER)
)
# The batch's steps are never loaded as objects on this path: reaching for them is a bug.
_STEPS_UNLOADED = raiseload(Batch.steps)
_LOCK_BATCH = LOCK_BATCH.options(_STEPS_UNLOADED)
# SQLite: the batch and its steps in one statement (no row lock needed: its write
# transactions are serialised by BEGIN IMMEDIATE, so nothing can change under the read).
_SERIALISED_READ = (
    select(Batch, *_ROW_COLUMNS, _V.name, _V.value)
    .join(Batch.procedure_version)
    .outerjoin(_STEPS_AND_VALUES, _S.batch_id == Batch.id)
    .where(Batch.id == bindparam("batch_id"))
    .order_by(*_IN_ORDER)
    .options(*VERSION_UNLOADED, _STEPS_UNLOADED)
    .execution_options(populate_existing=True)
)


@dataclass(slots=True)
class StepRow:
    """One step of the batch as a completion reads it; its changes are written with Core."""

    id: str
    batch_id: str
    step_id: str
    state: StepStatus
    activated_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    comment: str | None
    performer: User | None = None  # read only to name who completed it (`performer_read`)


# What executing a batch reads and changes of one of its steps: the ORM record (start,
# continuation), or its row on the completion path; both carry the same columns.
StepState = StepRecord | StepRow


@dataclass
class StepContext:
    """A batch loaded for a step's completion: its steps in order, and the current value of
    every name recorded in each of them (by step record id)."""

    batch: Batch
    steps: list[StepRow] = field(default_factory=list)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def step(self, step_id: str) -> StepRow:
        """The row of one step of the batch."""
        for row in self.steps:
            if row.step_id == step_id:
                return row
        raise StepNotFound(self.batch.id, step_id)

    def expression_context(self) -> dict[str, Any]:
        """What the batch's expressions may use (`record.batch_context`, from rows)."""
        return execution_context(
            self.batch.parameters,
            ((row.state, self.values.get(row.id, {})) for row in self.steps),
        )


def _collected(batch: Batch, rows: Any) -> StepContext:
    """The context of `batch` from (step columns..., value name, value) rows in step order."""
    loaded = StepContext(batch)
    steps, values = loaded.steps, loaded.values
    for row in rows:
        step_record_id = row[0]
        if step_record_id is None:
            continue
        if not steps or steps[-1].id != step_record_id:
            steps.append(StepRow(*row[:_WIDTH]))
        name = row[_WIDTH]
        if name is not None:
            values.setdefault(step_record_id, {})[name] = row[_WIDTH + 1]
    return loaded


async def step_context(session: AsyncSession, batch_id: str) -> StepContext:
    """Load a batch to complete a step, holding its row lock until commit (PostgreSQL), as
    `record.locked_batch` does but with its steps and values as rows."""
    if session.get_bind().dialect.name != "postgresql":
        rows = (await session.execute(_SERIALISED_READ, {"batch_id": batch_id})).all()
        if not rows:
            raise BatchNotFound(batch_id)
        return _collected(rows[0][0], (row[1:] for row in rows))
    batch = (await session.execute(_LOCK_BATCH, {"batch_id": batch_id})).scalar_one_or_none()
    if batch is None:
        raise BatchNotFound(batch_id)
    # Started after the lock is granted, so it sees what the lock's previous holder committed.
    connection = await session.connection()
    return _collected(batch, await connection.execute(_STEPS, {"batch_id": batch_id}))


async def performer_read(session: AsyncSession, row: StepRow) -> None:
    """Read the performer of a step, for an answer that names them."""
    if row.completed_by is not None:
        row.performer = await session.get(User, row.completed_by)
