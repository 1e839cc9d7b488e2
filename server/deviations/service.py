"""Opening and listing deviations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.guardrails import Alert
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.clock import utcnow
from server.deviations.models import Deviation
from server.events.schemas import DeviationEvent
from server.events.staging import stage


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
        status="open",
        title=title,
        detail=detail,
        field=field,
        value=value,
        limits=limits,
        comment=comment,
        opened_by=opened_by.id,
        opened_at=utcnow(),
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
        ),
    )
    return deviation


async def open_for_step(
    session: AsyncSession,
    opened_by: User,
    *,
    batch_id: str,
    batch_number: str,
    step_id: str,
    alerts: Iterable[Alert],
    comment: str | None,
    hold_exceeded: bool = False,
    correction: bool = False,
) -> list[Deviation]:
    """The deviations a step's completion or correction opens: one for each value recorded
    in its alert range (with the comment the alert required), one for an exceeded hold."""
    at_step = partial(
        open_deviation,
        session,
        opened_by,
        batch_id=batch_id,
        batch_number=batch_number,
        step_id=step_id,
        comment=comment,
    )
    where = " (correction)" if correction else ""
    opened = [
        await at_step(
            kind="alert_limit",
            severity=alert.severity,
            title=f"{alert.field} outside its alert range{where}",
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
                detail=f"Step {step_id!r} was completed after its maximum hold time.",
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
