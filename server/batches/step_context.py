"""Reading a batch to complete one of its steps: its row and its steps' rows as ORM objects
(what the completion changes), the values recorded so far as plain rows (what the step's
expressions read).

Completing a step never reads a value revision as an object, so it does not build one per
recorded value on every request; `StepRecord.values` stays unloaded here, and a completion
inserts its revisions as rows (one statement) and adds them to `values`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload
from sqlalchemy.orm.attributes import set_committed_value

from procedures.states import execution_context
from server.auth.models import User
from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch, StepRecord, StepValue
from server.batches.record import LOCK_BATCH, batch_and_steps_read, steps_read

_STEP_COLUMNS = (StepRecord, StepValue.name, StepValue.value)
# A completion names only its own performer (the user it has), and the performer of a step
# it cannot complete when it says so (read then, `performer_read`): no other step's.
_PERFORMER_UNREAD = raiseload(StepRecord.performer)
# The steps, and the value of every revision in order (a later revision replaces an earlier
# one as the rows are read).
_STEPS = steps_read(*_STEP_COLUMNS, performers=False).options(_PERFORMER_UNREAD)
# SQLite: the batch and its steps in one statement (no row lock needed).
_SERIALISED_READ = batch_and_steps_read(*_STEP_COLUMNS, performers=False).options(_PERFORMER_UNREAD)


@dataclass
class StepContext:
    """A batch loaded for a step's completion, and the current value of every name recorded
    in each of its steps (by step record id)."""

    batch: Batch
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def expression_context(self) -> dict[str, Any]:
        """What the batch's expressions may use (`record.batch_context`, from rows)."""
        return execution_context(
            self.batch.parameters,
            ((record.state, self.values.get(record.id, {})) for record in self.batch.steps),
        )


def _collected(batch: Batch, rows: Any) -> StepContext:
    """The context of `batch` from (step record, value name, value) rows in step order."""
    loaded = StepContext(batch)
    steps: list[StepRecord] = []
    for record, name, value in rows:
        if record is None:
            continue
        if not steps or steps[-1] is not record:
            steps.append(record)
        if name is not None:
            loaded.values.setdefault(record.id, {})[name] = value
    set_committed_value(batch, "steps", steps)
    return loaded


async def step_context(session: AsyncSession, batch_id: str) -> StepContext:
    """Load a batch to complete a step, holding its row lock until commit (PostgreSQL), as
    `record.locked_batch` does but with its values as rows."""
    if session.get_bind().dialect.name != "postgresql":
        rows = (await session.execute(_SERIALISED_READ, {"batch_id": batch_id})).all()
        if not rows:
            raise BatchNotFound(batch_id)
        return _collected(rows[0][0], (row[1:] for row in rows))
    batch = (await session.execute(LOCK_BATCH, {"batch_id": batch_id})).scalar_one_or_none()
    if batch is None:
        raise BatchNotFound(batch_id)
    rows = (await session.execute(_STEPS, {"batch_id": batch_id})).all()
    return _collected(batch, rows)


async def performer_read(session: AsyncSession, record: StepRecord) -> None:
    """Load the performer of a step read by `step_context` (which leaves it unread), for an
    answer that names them."""
    performer = None
    if record.completed_by is not None:
        performer = await session.get(User, record.completed_by)
    set_committed_value(record, "performer", performer)
