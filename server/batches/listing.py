"""The batch list: a page of batches with what a list row shows, filtered, newest first.

A row needs the batch, its procedure version, its active step and its step counts; these
are read for the page's batches only, in three grouped queries, never the step graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, selectinload

from procedures.states import BatchStatus, StepStatus
from server.auth import service as auth
from server.batches import operators
from server.batches.models import Batch, BatchOperator, StepRecord
from server.db.paging import Keyset, Page, PageRequest, fetch_page, nothing, prefixed
from server.deviations import service as deviations
from server.deviations.models import Deviation
from server.deviations.service import UNRESOLVED
from server.library import service as library
from server.library.models import Procedure, ProcedureVersion

KEYSET = Keyset("batches", (Batch.created_at, Batch.id), descending=True)
# The same order, read from an operator's rows (they copy the batch's creation time), so
# the page is one range of ix_batch_operators_user_created; its cursors are the list's own.
BY_OPERATOR = Keyset(
    "batches",
    (BatchOperator.created_at, BatchOperator.batch_id),
    descending=True,
    keys=("created_at", "id"),
)


@dataclass(frozen=True)
class BatchFilters:
    """What the batch list may be narrowed to; each given filter must hold."""

    statuses: Sequence[str] = ()
    procedure: str | None = None
    product: str | None = None
    number_prefix: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    operator: str | None = None
    open_deviations: bool | None = None


@dataclass(frozen=True)
class BatchRow:
    """What one row of the batch list shows."""

    batch: Batch
    version: ProcedureVersion
    current_step: str | None
    total: int
    completed: int
    skipped: int
    open_deviations: int


async def _versions_of_product(session: AsyncSession, product: str) -> list[str]:
    """The procedure versions making `product` (named in their definitions; there are few)."""
    versions = (
        await session.scalars(select(ProcedureVersion).options(defer(ProcedureVersion.definition)))
    ).all()
    wanted = product.casefold()
    return [
        version.id
        for version in versions
        if ((await library.definition_for(session, version)).product or "").casefold() == wanted
    ]


async def _filtered(session: AsyncSession, filters: BatchFilters) -> Select[tuple[Batch]]:
    query = select(Batch)
    if filters.statuses:
        query = query.where(Batch.status.in_(filters.statuses))
    if filters.procedure:
        of_procedure = (
            select(ProcedureVersion.id)
            .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
            .where(Procedure.key == filters.procedure)
        )
        query = query.where(Batch.procedure_version_id.in_(of_procedure))
    if filters.product:
        versions = await _versions_of_product(session, filters.product)
        query = query.where(Batch.procedure_version_id.in_(versions) if versions else nothing())
    if filters.number_prefix:
        query = query.where(*prefixed(Batch.batch_number, filters.number_prefix))
    if filters.created_from:
        query = query.where(Batch.created_at >= filters.created_from)
    if filters.created_before:
        query = query.where(Batch.created_at < filters.created_before)
    if filters.operator:
        person = await auth.user_id_of(session, filters.operator)
        query = query.join(BatchOperator, operators.joined(person) if person else nothing())
    if filters.open_deviations:
        # Few batches have an open deviation: the list is driven from those.
        unresolved = select(Deviation.batch_id).where(Deviation.status.in_(UNRESOLVED))
        query = query.where(Batch.id.in_(unresolved))
    elif filters.open_deviations is False:
        query = query.where(
            ~exists().where(Deviation.batch_id == Batch.id, Deviation.status.in_(UNRESOLVED))
        )
    return query


async def list_batches(
    session: AsyncSession, filters: BatchFilters, page: PageRequest
) -> Page[BatchRow]:
    """One page of the batches passing `filters`, newest first."""
    keyset = BY_OPERATOR if filters.operator else KEYSET
    found = await fetch_page(session, await _filtered(session, filters), keyset, page)
    batches: list[Batch] = found.items
    ids = [batch.id for batch in batches]
    steps = await _step_counts(session, ids)
    unresolved = await deviations.unresolved_counts(session, ids)
    versions = await _versions(session, {batch.procedure_version_id for batch in batches})
    return found.map(
        lambda batch: BatchRow(
            batch,
            versions[batch.procedure_version_id],
            *steps.get(batch.id, (None, 0, 0, 0)),
            unresolved.get(batch.id, 0),
        )
    )


async def _step_counts(
    session: AsyncSession, ids: Sequence[str]
) -> dict[str, tuple[str | None, int, int, int]]:
    """Per batch: its active step, and how many steps it has, completed and skipped."""
    if not ids:
        return {}
    rows = await session.execute(
        select(
            StepRecord.batch_id,
            func.min(case((StepRecord.state == StepStatus.ACTIVE, StepRecord.step_id))),
            func.count(),
            func.count(case((StepRecord.state == StepStatus.COMPLETED, 1))),
            func.count(case((StepRecord.state == StepStatus.SKIPPED, 1))),
        )
        .where(StepRecord.batch_id.in_(ids))
        .group_by(StepRecord.batch_id)
    )
    return {
        batch_id: (active, total, done, skipped) for batch_id, active, total, done, skipped in rows
    }


async def _versions(session: AsyncSession, ids: set[str]) -> dict[str, ProcedureVersion]:
    """The page's procedure versions with their procedures, definitions parsed (cached)."""
    if not ids:
        return {}
    versions = (
        await session.scalars(
            select(ProcedureVersion)
            .where(ProcedureVersion.id.in_(ids))
            .options(defer(ProcedureVersion.definition), selectinload(ProcedureVersion.procedure))
        )
    ).all()
    for version in versions:
        await library.definition_for(session, version)
    return {version.id: version for version in versions}


STATUSES = [status.value for status in BatchStatus]
