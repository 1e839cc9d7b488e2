"""The batch's state machine: the states of a batch and of its steps, and what comes next.

Pure, so the server and the headset move a batch on by the same rules. The values are the
strings stored in the database and sent over the API. A new state is added here, once: its
member, and the properties below that say what it allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from procedures.exceptions import ExpressionFailed
from procedures.guardrails import is_applicable
from procedures.model import Step


class BatchStatus(StrEnum):
    """Where a batch is in its life."""

    CREATED = "created"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    RELEASED = "released"
    REJECTED = "rejected"

    @property
    def startable(self) -> bool:
        """The batch may be started."""
        return self is BatchStatus.CREATED

    @property
    def executing(self) -> bool:
        """Its active step may be completed."""
        return self is BatchStatus.IN_PROGRESS

    @property
    def correctable(self) -> bool:
        """Values its steps recorded may be corrected."""
        return self in (BatchStatus.IN_PROGRESS, BatchStatus.ON_HOLD, BatchStatus.COMPLETED)

    @property
    def open(self) -> bool:
        """Operators still have work to do on it (a held batch waits for continuation)."""
        return self in (BatchStatus.CREATED, BatchStatus.IN_PROGRESS, BatchStatus.ON_HOLD)

    @property
    def locked(self) -> bool:
        """QA decided on it (released or rejected): its record takes no write at all."""
        return self in (BatchStatus.RELEASED, BatchStatus.REJECTED)


class StepStatus(StrEnum):
    """Where a step of a batch is: the batch works on one active step at a time."""

    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class NextSteps:
    """How a batch moves on: steps skipped, the step activated, or the batch completed."""

    skipped: tuple[Step, ...] = ()
    activated: Step | None = None
    batch_completed: bool = False


def next_steps(
    steps: Sequence[Step], states: Mapping[str, StepStatus], context: Mapping[str, Any]
) -> NextSteps:
    """What follows once no step is active (the batch started, or its active step completed).

    `steps` in execution order, `states` by step id. Each pending step whose condition is
    false is skipped, and the first whose condition holds becomes active; with none left,
    the batch is completed. While a step is active, nothing moves.
    """
    if any(states[step.id] == StepStatus.ACTIVE for step in steps):
        return NextSteps()
    skipped = []
    for step in steps:
        if states[step.id] != StepStatus.PENDING:
            continue
        if _applicable(step, context):
            return NextSteps(tuple(skipped), step)
        skipped.append(step)
    return NextSteps(tuple(skipped), batch_completed=True)


def _applicable(step: Step, context: Mapping[str, Any]) -> bool:
    try:
        return is_applicable(step, context)
    except ExpressionFailed:
        # When in doubt, perform the step: skipping is the irreversible choice.
        return True


def execution_context(
    parameters: Mapping[str, Any], steps: Iterable[tuple[StepStatus, Mapping[str, Any]]]
) -> dict[str, Any]:
    """What a step's expressions may use: the batch parameters, then the values (entered and
    calculated) of each completed step, given with its state in execution order."""
    context = dict(parameters)
    for state, values in steps:
        if state == StepStatus.COMPLETED:
            context.update(values)
    return context
