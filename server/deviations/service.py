"""Opening, finding and listing deviations; their investigation is in `lifecycle`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.guardrails import Alert
from procedures.model import Procedure as ProcedureDefinition
from procedures.model import Step
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.auth import service as auth
from server.auth.models import User
from server.batches.models import Batch
from server.clock import utcnow
from server.db.paging import Keyset, Page, PageRequest, fetch_page
from server.deviations.exceptions import DeviationNotFound
from server.deviations.models import Deviation
from server.deviations.states import DeviationStatus
from server.events.schemas import DeviationEvent
from server.events.staging import stage
from server.library import service as library
from server.library.models import ProcedureVersion


async def open_deviation(
    session: AsyncSession,
    opened_by: User,
    *,
    batch_id: str,
    batch_number: str,
    step_id: str | None,
    kind: str,
    severity: str,
    title: str,
    detail: str,
    field: str | None = None,
    value: Any = None,
    limits: Any = None,
    comment: str | None = None,
) -> Deviation:
    """Record a deviation on a batch (audited, and announced once committed)."""
    count = await session.scalar(
        select(func.count()).select_from(Deviation).where(Deviation.batch_id == batch_id)
    )
    deviation = Deviation(
        number=f"{batch_number}-DEV-{(count or 0) + 1:03d}",
        batch_id=batch_id,
        step_id=step_id,
        kind=kind,
        severity=severity,
        status=DeviationStatus.OPEN,
        title=title,
        detail=detail,
        field=field,
        value=value,
        limits=limits,
        comment=comment,
        opened_by=opened_by.id,
        opened_at=utcnow(),
        capa=[],
        batch=await session.get(Batch, batch_id),
        opener=opened_by,
        closer=None,
        signature=None,
    )
    session.add(deviation)
    await session.flush()
    await audit.record(
        session,
        auth.actor_of(opened_by),
        "deviation.opened",
        "deviation",
        deviation.id,
        new={
            "number": deviation.number,
            "kind": kind,
            "severity": severity,
            "title": title,
            "step_id": step_id,
            "field": field,
            "value": value,
            "detail": detail,
        },
        reason=comment,
        batch_id=batch_id,
    )
    stage(
        session,
        DeviationEvent(
            batch_id=batch_id,
            deviation_id=deviation.id,
            number=deviation.number,
            step_id=step_id,
            severity=severity,
            title=title,
            status=DeviationStatus.OPEN,
            change="opened",
        ),
    )
    return deviation


async def open_for_step(
    session: AsyncSession,
    opened_by: User,
    *,
    batch_id: str,
    batch_number: str,
    step: Step,
    alerts: Iterable[Alert],
    comment: str | None,
    hold_exceeded: bool = False,
    correction: bool = False,
) -> list[Deviation]:
    """The deviations a step's completion or correction opens: one for each value recorded
    in its alert range (with the comment the alert required), one for an exceeded hold.
    Titles and details name the step and its values by the procedure's labels."""
    labels = {spec.name: spec.label for spec in (*step.inputs, *step.calculations)}
    at_step = partial(
        open_deviation,
        session,
        opened_by,
        batch_id=batch_id,
        batch_number=batch_number,
        step_id=step.id,
        comment=comment,
    )
    where = " (correction)" if correction else ""
    opened = [
        await at_step(
            kind="alert_limit",
            severity=alert.severity,
            title=f"{labels.get(alert.field, alert.field)} outside its alert range{where}",
            detail=alert.message,
            field=alert.field,
            value=alert.value,
            limits=alert.limit,
        )
        for alert in alerts
    ]
    if hold_exceeded:
        opened.append(
            await at_step(
                kind="hold_time_exceeded",
                severity="major",
                title="Maximum hold time exceeded",
                detail=f"Step “{step.title}” was completed after its maximum hold time.",
            )
        )
    return opened


async def for_batch(session: AsyncSession, batch_id: str) -> Sequence[Deviation]:
    """A batch's deviations in the order they were opened."""
    return (
        await session.scalars(
            select(Deviation).where(Deviation.batch_id == batch_id).order_by(Deviation.number)
        )
    ).all()


UNRESOLVED = (DeviationStatus.OPEN, DeviationStatus.INVESTIGATING)


async def find(session: AsyncSession, deviation_id: str, *, for_update: bool = False) -> Deviation:
    """One deviation; `for_update` holds its row until commit (PostgreSQL), so two changes
    of the same deviation queue instead of overwriting each other."""
    query = select(Deviation).where(Deviation.id == deviation_id)
    if for_update:
        query = query.with_for_update(of=Deviation).execution_options(populate_existing=True)
    deviation = await session.scalar(query)
    if deviation is None:
        raise DeviationNotFound(deviation_id)
    return deviation


DEVIATIONS = Keyset("deviations", (Deviation.opened_at, Deviation.number), descending=True)


async def list_deviations(
    session: AsyncSession,
    page: PageRequest,
    *,
    statuses: Sequence[str] = (),
    batch_id: str | None = None,
    severity: str | None = None,
) -> Page[Deviation]:
    """A page of deviations, newest first, filtered by whichever of status, batch and
    severity are given."""
    query = select(Deviation)
    if statuses:
        query = query.where(Deviation.status.in_(statuses))
    if batch_id:
        query = query.where(Deviation.batch_id == batch_id)
    if severity:
        query = query.where(Deviation.severity == severity)
    return await fetch_page(session, query, DEVIATIONS, page)


async def unresolved_counts(session: AsyncSession, batch_ids: Sequence[str]) -> dict[str, int]:
    """How many open or investigating deviations each batch has (one grouped query)."""
    if not batch_ids:
        return {}
    rows = await session.execute(
        select(Deviation.batch_id, func.count())
        .where(Deviation.batch_id.in_(batch_ids), Deviation.status.in_(UNRESOLVED))
        .group_by(Deviation.batch_id)
    )
    return {batch_id: count for batch_id, count in rows}


async def history(session: AsyncSession, deviation: Deviation) -> Sequence[AuditEntry]:
    """The deviation's audit entries, oldest first."""
    return (
        await session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == "deviation",
                AuditEntry.entity_id == deviation.id,
                AuditEntry.batch_id == deviation.batch_id,
            )
            .order_by(AuditEntry.seq)
        )
    ).all()


async def definitions_of(
    session: AsyncSession, found: Iterable[Deviation]
) -> dict[str, ProcedureDefinition]:
    """The procedure each deviation's batch follows, by batch id (one read per version),
    so views name steps and values by the procedure's titles and labels."""
    by_version: dict[str, ProcedureDefinition] = {}
    by_batch: dict[str, ProcedureDefinition] = {}
    for deviation in found:
        version_id = deviation.batch.procedure_version_id
        if version_id not in by_version:
            version = await session.get(ProcedureVersion, version_id)
            assert version is not None
            by_version[version_id] = await library.definition_for(session, version)
        by_batch[deviation.batch_id] = by_version[version_id]
    return by_batch
