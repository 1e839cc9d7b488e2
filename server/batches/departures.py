"""Departures a step's completion reveals beyond its values: completed after its window, a
weight typed instead of read from the balance, an e-signature refused and then given by
someone else. Each opens a deviation (README: "Which departure raises which deviation")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Step
from server.audit.models import AuditEntry
from server.auth.models import User
from server.batches.models import Batch
from server.batches.step_rows import StepState
from server.batches.traceability import Traced
from server.clock import isoformat
from server.deviations import service as deviations
from server.deviations.models import Deviation

SIGNATURE_REFUSED = "step.signature_refused"


@dataclass(frozen=True)
class _Departure:
    kind: str
    severity: str
    title: str
    detail: str
    field: str | None = None
    value: Any = None


async def at_completion(
    session: AsyncSession,
    performer: User,
    batch: Batch,
    record: StepState,
    step: Step,
    traced: Traced,
    *,
    signed: bool,
) -> list[Deviation]:
    """The deviations the completion of `record` (just completed by `performer`, `signed`
    when it took an e-signature) opens."""
    found: list[_Departure] = []
    late = _late_by(step, record)
    if late is not None:
        found.append(
            _Departure(
                "step_window_missed",
                "major",
                "Step completed after its window",
                f"Step “{step.title}” had to be completed within {step.window_minutes:g} minutes "
                f"of its activation at {isoformat(late[0])}; it was completed "
                f"{late[1].total_seconds() / 60:.1f} minutes late.",
            )
        )
    weighing = traced.weighing
    if step.dispense is not None and weighing is not None and weighing.source == "manual":
        found.append(
            _Departure(
                "manual_weight",
                "minor",
                "Weight entered by hand instead of read from the balance",
                f"Step “{step.title}” expects the reading of balance {weighing.balance.code}; "
                f"{weighing.net} {weighing.unit} was typed.",
                field=step.dispense.name,
                value=float(weighing.net),
            )
        )
    # Only a completion that was signed can follow a refused signature.
    refused = await _refused_signers(session, record, performer) if signed else []
    if refused:
        found.append(
            _Departure(
                "signature_retried",
                "major",
                "E-signature refused, then given by someone else",
                f"The e-signature of step “{step.title}” was refused for "
                f"{', '.join(refused)} and then given by {performer.username}.",
            )
        )
    return [
        await deviations.open_deviation(
            session,
            performer,
            batch_id=batch.id,
            batch_number=batch.batch_number,
            step_id=step.id,
            kind=departure.kind,
            severity=departure.severity,
            title=departure.title,
            detail=departure.detail,
            field=departure.field,
            value=departure.value,
        )
        for departure in found
    ]


def _late_by(step: Step, record: StepState) -> tuple[datetime, timedelta] | None:
    """When the step was activated and how late it was completed, if past its window."""
    if step.window_minutes is None or record.activated_at is None or record.completed_at is None:
        return None
    late = record.completed_at - (record.activated_at + timedelta(minutes=step.window_minutes))
    return (record.activated_at, late) if late > timedelta(0) else None


async def _refused_signers(session: AsyncSession, record: StepState, signer: User) -> list[str]:
    """Who else tried to sign the step and was refused (committed refusals, in order)."""
    entries = await session.scalars(
        select(AuditEntry.new)
        .where(
            AuditEntry.entity_type == "step",
            AuditEntry.entity_id == record.id,
            AuditEntry.action == SIGNATURE_REFUSED,
        )
        .order_by(AuditEntry.seq)
    )
    names: list[str] = []
    for text in entries:
        detail = json.loads(text) if text else None
        name = detail.get("signed_by") if isinstance(detail, dict) else None
        if isinstance(name, str) and name != signer.username and name not in names:
            names.append(name)
    return names
