"""The electronic batch record: loading it to show or to change, and reading its values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from procedures.dispensing import DispenseTarget, dispense_target
from procedures.exceptions import StepRejected
from procedures.model import Procedure as ProcedureDefinition
from procedures.states import execution_context
from server.auth import service as auth
from server.auth.models import User
from server.batches.exceptions import BatchNotFound, StepNotFound
from server.batches.hold_views import HoldView, hold_views
from server.batches.models import Batch, StepRecord, StepValue
from server.clock import isoformat
from server.deviations import service as deviations
from server.deviations.models import Deviation
from server.library.models import ProcedureVersion
from server.redlines.definitions import batch_definition
from server.signatures.models import Signature


@dataclass(frozen=True)
class BatchRecord:
    """A batch with everything the record shows: definition, signatures, deviations, holds."""

    batch: Batch
    definition: ProcedureDefinition
    signatures: Sequence[Signature]
    deviations: Sequence[Deviation]
    dispense_targets: Mapping[str, DispenseTarget]
    holds: Sequence[HoldView] = ()
    creator: User | None = None
    starter: User | None = None


def _with_record() -> list[Any]:
    steps = selectinload(Batch.steps)
    return [
        steps.selectinload(StepRecord.values).selectinload(StepValue.author),
        steps.selectinload(StepRecord.performer),
        selectinload(Batch.procedure_version).selectinload(ProcedureVersion.procedure),
    ]


PERFORMER = aliased(User)  # a step's performer, joined in the reads below
# The pinned version comes with the batch, without its definition (parsed once per content
# hash, library.definition_for) or its source.
VERSION_UNLOADED = (
    contains_eager(Batch.procedure_version).defer(ProcedureVersion.definition),
    contains_eager(Batch.procedure_version).defer(ProcedureVersion.source),
)
# Changing a batch reads it in two statements: its row, locked until commit (PostgreSQL), with
# its pinned version; then, in a statement that starts after the lock is granted (so it sees
# what the previous holder committed), its steps with their performers and every value.
LOCK_BATCH = (
    select(Batch)
    .join(Batch.procedure_version)
    .where(Batch.id == bindparam("batch_id"))
    .with_for_update(of=Batch)
    .options(*VERSION_UNLOADED)
    .execution_options(populate_existing=True)
)


def _in_step_order(query: Select[Any]) -> Select[Any]:
    """`query` joined to the steps' value revisions and performers (as `PERFORMER`), in step
    order (a later revision of a value after an earlier one)."""
    return (
        query.outerjoin(StepRecord.values)
        .outerjoin(PERFORMER, StepRecord.performer)
        .order_by(StepRecord.position, StepValue.name, StepValue.revision)
        .execution_options(populate_existing=True)
    )


# The steps of the batch bound as `batch_id`, with every value revision and performer.
_STEPS = _in_step_order(
    select(StepRecord).where(StepRecord.batch_id == bindparam("batch_id"))
).options(
    contains_eager(StepRecord.values), contains_eager(StepRecord.performer.of_type(PERFORMER))
)
# SQLite, which has no row locks and needs none (its write transactions are serialised by
# BEGIN IMMEDIATE, so nothing can change under the read): the batch and its steps in one.
_SERIALISED_READ = _in_step_order(
    select(Batch)
    .join(Batch.procedure_version)
    .outerjoin(Batch.steps)
    .where(Batch.id == bindparam("batch_id"))
).options(
    *VERSION_UNLOADED,
    contains_eager(Batch.steps).contains_eager(StepRecord.values),
    contains_eager(Batch.steps).contains_eager(StepRecord.performer.of_type(PERFORMER)),
)


async def locked_batch(session: AsyncSession, batch_id: str) -> Batch:
    """Load a batch for change, holding its row lock until commit (PostgreSQL); its
    definition is `batch_definition` of it.

    Two devices completing the same step queue here; the second then sees the step done.
    SQLite write transactions are already serialised by BEGIN IMMEDIATE.
    """
    if session.get_bind().dialect.name != "postgresql":
        found = await session.execute(_SERIALISED_READ, {"batch_id": batch_id})
        batch = found.unique().scalar_one_or_none()
        if batch is None:
            raise BatchNotFound(batch_id)
        return batch
    batch = (await session.execute(LOCK_BATCH, {"batch_id": batch_id})).scalar_one_or_none()
    if batch is None:
        raise BatchNotFound(batch_id)
    steps = (await session.execute(_STEPS, {"batch_id": batch_id})).unique().scalars().all()
    set_committed_value(batch, "steps", list(steps))
    return batch


def step_record(batch: Batch, step_id: str) -> StepRecord:
    """The record of one step of the batch."""
    for record in batch.steps:
        if record.step_id == step_id:
            return record
    raise StepNotFound(batch.id, step_id)


def current_values(record: StepRecord) -> dict[str, Any]:
    """The latest revision of every value recorded in a step."""
    return {value.name: value.value for value in record.values}


def batch_context(batch: Batch) -> dict[str, Any]:
    """What the batch's expressions may use: its parameters and completed steps' values."""
    return execution_context(
        batch.parameters, ((record.state, current_values(record)) for record in batch.steps)
    )


@dataclass(frozen=True)
class SignedRevisions:
    """Which revision of each value a signature applies to, and whether a later correction
    superseded it."""

    revisions: dict[str, int]
    superseded: bool


def signed_revisions(values: Sequence[StepValue], signed_at: datetime) -> SignedRevisions:
    """What a signature given at `signed_at` over `values` (all their revisions) signed."""
    revisions: dict[str, int] = {}
    superseded = False
    for value in values:
        if value.entered_at <= signed_at:
            revisions[value.name] = max(revisions.get(value.name, 0), value.revision)
        else:
            superseded = True
    return SignedRevisions(revisions, superseded)


def step_summary(record: StepRecord) -> dict[str, Any]:
    """The state of a step as a 409 answer reports it."""
    summary: dict[str, Any] = {"step_id": record.step_id, "state": record.state}
    if record.completed_at is not None:
        summary["completed_at"] = isoformat(record.completed_at)
        summary["completed_by"] = record.performer.username if record.performer else None
    return summary


def value_row(
    record: StepRecord,
    name: str,
    value: Any,
    source: str,
    revision: int,
    author: User,
    at: datetime,
    reason: str | None = None,
) -> dict[str, Any]:
    """One revision of a value recorded in a step, as the columns of its row."""
    return {
        "step_record_id": record.id,
        "name": name,
        "value": value,
        "source": source,
        "revision": revision,
        "entered_by": author.id,
        "entered_at": at,
        "reason": reason,
    }


async def load_record(session: AsyncSession, batch_id: str) -> BatchRecord:
    """A batch with its steps, values, signatures and deviations, for display."""
    batch = await session.scalar(select(Batch).where(Batch.id == batch_id).options(*_with_record()))
    if batch is None:
        raise BatchNotFound(batch_id)
    signed = (
        await session.scalars(
            select(Signature).where(Signature.batch_id == batch_id).order_by(Signature.signed_at)
        )
    ).all()
    definition = await batch_definition(session, batch)
    people = await auth.users_by_id(session, (batch.created_by, batch.started_by))
    return BatchRecord(
        batch=batch,
        definition=definition,
        signatures=signed,
        deviations=await deviations.for_batch(session, batch_id),
        dispense_targets=_dispense_targets(definition, batch),
        holds=await hold_views(session, batch_id),
        creator=people.get(batch.created_by),
        starter=people.get(batch.started_by) if batch.started_by else None,
    )


def _dispense_targets(definition: ProcedureDefinition, batch: Batch) -> dict[str, DispenseTarget]:
    """The target window of each dispense step whose target can be worked out yet."""
    context, targets = batch_context(batch), {}
    for step in definition.steps():
        if step.dispense is None:
            continue
        try:
            targets[step.id] = dispense_target(step.dispense, context)
        except StepRejected:
            continue  # depends on a value not recorded yet
    return targets
