"""Recomputing the calculations that used a corrected value, and re-checking their limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procedures.exceptions import ExpressionFailed
from procedures.guardrails import Alert, is_applicable
from procedures.model import Procedure as ProcedureDefinition
from procedures.model import Step
from procedures.states import StepStatus
from server.batches.checks import evaluate
from server.batches.exceptions import BranchChangedByCorrection
from server.batches.models import Batch, StepRecord
from server.batches.record import batch_context, current_values


@dataclass(frozen=True)
class Recalculated:
    """The calculations of one completed step whose results a correction changed."""

    record: StepRecord
    step: Step
    values: dict[str, float]
    alerts: list[Alert]


def recalculate(
    definition: ProcedureDefinition,
    batch: Batch,
    corrected: StepRecord,
    changed: Mapping[str, Any],
    reason: str,
) -> list[Recalculated]:
    """Every other completed step's calculations, recomputed in execution order from the
    corrected values; raises StepValuesRejected naming the calculation when a result would
    break its hard limit (the correction is then refused). The correction's reason stands as
    the comment a result in its alert band needs."""
    context: dict[str, Any] = {**batch_context(batch), **changed}
    found = []
    for record in batch.steps:
        step = definition.step(record.step_id)
        if record is corrected or record.state != StepStatus.COMPLETED or not step.calculations:
            continue
        entered = {v.name: v.value for v in record.values if v.source != "calculated"}
        outcome = evaluate(step, entered, context, reason)
        context.update(outcome.calculated)
        previous = current_values(record)
        differs = {n: v for n, v in outcome.calculated.items() if previous.get(n) != v}
        if differs:
            alerts = [alert for alert in outcome.alerts if alert.field in differs]
            found.append(Recalculated(record, step, differs, alerts))
    return found


def verifications_of(
    definition: ProcedureDefinition, batch: Batch, steps: set[str]
) -> list[StepRecord]:
    """The completed verifications of any of `steps`: a correction supersedes them."""
    verifying = {
        step.id
        for step in definition.steps()
        if step.kind == "verification" and step.verifies in steps
    }
    return [r for r in batch.steps if r.step_id in verifying and r.state == StepStatus.COMPLETED]


def check_branches(
    definition: ProcedureDefinition,
    batch: Batch,
    changed: Mapping[str, Any],
    recalculated: list[Recalculated],
) -> None:
    """Refuse a correction that would change whether a step already completed or skipped
    applies: the batch took that branch on the value as it was."""
    before = batch_context(batch)
    after = {**before, **changed}
    for found in recalculated:
        after.update(found.values)
    acted_on = (StepStatus.COMPLETED, StepStatus.SKIPPED)
    for record in batch.steps:
        step = definition.step(record.step_id)
        if step.when is None or record.state not in acted_on:
            continue
        if _applies(step, before) != _applies(step, after):
            raise BranchChangedByCorrection(step.id, step.when, sorted(changed))


def _applies(step: Step, context: Mapping[str, Any]) -> bool | None:
    try:
        return is_applicable(step, context)
    except ExpressionFailed:
        return None
