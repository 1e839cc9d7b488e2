"""Reading a procedure's batches and recorded numbers for analytics, in a few statements.

Only the latest revision of each value counts (a correction supersedes what it corrects);
values that are not numbers (text, scans, ticks) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Procedure as ProcedureDefinition
from procedures.states import BatchStatus
from server.analytics.table import BatchRow, BatchTable, columns_of, numeric
from server.batches.models import Batch, StepRecord, StepValue
from server.deviations.models import Deviation
from server.library import service as library
from server.library.exceptions import ProcedureNotFound
from server.library.models import Procedure, ProcedureVersion

# Batches whose record is finished: what trends and capability are computed over by default.
CLOSED = (BatchStatus.COMPLETED, BatchStatus.RELEASED)


async def batch_table(
    session: AsyncSession, key: str, include: Literal["closed", "all"] = "closed"
) -> BatchTable:
    """The procedure's batches (completed or released, or all) and every number they record."""
    procedure = await session.scalar(select(Procedure).where(Procedure.key == key))
    if procedure is None:
        raise ProcedureNotFound(key)
    versions = (
        await session.scalars(
            select(ProcedureVersion)
            .where(ProcedureVersion.procedure_id == procedure.id)
            .order_by(ProcedureVersion.version.desc())
        )
    ).all()
    definitions = [library.definition_of(version) for version in versions]
    number_of = {version.id: version.version for version in versions}
    batches = await _batches(session, list(number_of), include)
    values = await _values(session, [batch.id for batch in batches], definitions)
    deviations = await _deviation_counts(session, [batch.id for batch in batches])
    rows = [
        BatchRow(
            batch_id=batch.id,
            batch_number=batch.batch_number,
            version=number_of[batch.procedure_version_id],
            status=str(batch.status),
            created_at=batch.created_at,
            completed_at=batch.completed_at,
            decided_at=batch.decided_at,
            deviations=deviations.get(batch.id, 0),
            values={**_numbers(batch.parameters), **values[batch.id]},
        )
        for batch in batches
    ]
    return BatchTable(key, procedure.title, include, columns_of(definitions), rows)


async def _batches(session: AsyncSession, version_ids: list[str], include: str) -> Sequence[Batch]:
    query = select(Batch).where(Batch.procedure_version_id.in_(version_ids))
    if include == "closed":
        query = query.where(Batch.status.in_(CLOSED))
    return (await session.scalars(query.order_by(Batch.created_at, Batch.batch_number))).all()


async def _values(
    session: AsyncSession, batch_ids: list[str], definitions: list[ProcedureDefinition]
) -> dict[str, dict[str, float]]:
    """Per batch, the latest revision of every number recorded in its steps."""
    found: dict[str, dict[str, float]] = {batch_id: {} for batch_id in batch_ids}
    if not batch_ids:
        return found
    wanted = {column.name for column in columns_of(definitions) if column.source != "batch"}
    for chunk in _chunks(batch_ids):
        rows = await session.execute(
            select(StepRecord.batch_id, StepValue.name, StepValue.value)
            .join(StepValue, StepValue.step_record_id == StepRecord.id)
            .where(StepRecord.batch_id.in_(chunk), StepValue.name.in_(wanted))
            .order_by(StepValue.revision)
        )
        for batch_id, name, value in rows:
            number = numeric(value)
            if number is not None:
                found[batch_id][name] = number
            else:
                found[batch_id].pop(name, None)
    return found


def _numbers(given: dict[str, object] | None) -> dict[str, float]:
    return {
        name: number
        for name, value in (given or {}).items()
        if (number := numeric(value)) is not None
    }


async def _deviation_counts(session: AsyncSession, batch_ids: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for chunk in _chunks(batch_ids):
        rows = await session.execute(
            select(Deviation.batch_id, func.count())
            .where(Deviation.batch_id.in_(chunk))
            .group_by(Deviation.batch_id)
        )
        counts.update({batch_id: count for batch_id, count in rows})
    return counts


def _chunks(ids: list[str], size: int = 900) -> list[list[str]]:
    """Bound the number of bind parameters of one IN list (SQLite allows a few thousand)."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]
