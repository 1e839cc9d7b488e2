"""Batch execution failures.

StepwiseError
 ├── NotFound
 │    ├── BatchNotFound
 │    ├── StepNotFound
 │    └── HoldNotFound
 ├── Conflict
 │    ├── BatchNumberTaken
 │    ├── BatchNotInProgress      not started yet, or already completed
 │    ├── StepNotActive           pending, completed or skipped: carries the current state
 │    ├── HoldNotElapsed          a timer step completed before its minimum time
 │    ├── NotCorrectable          only completed steps of an open record can be corrected
 │    ├── BatchRecordClosed       the batch is completed: no new remarks, media or streams
 │    ├── BatchLocked             released or rejected by QA: its record takes no write at all
 │    ├── BatchOnHold             a blocking exception holds the batch: carries the hold
 │    ├── HoldLifted              continuation of this hold was already approved
 │    └── OutputNotPossible       the output lot a step yields cannot be made (material, unit)
 ├── Forbidden
 │    ├── SelfVerification        the performer may not verify their own step
 │    └── HoldApproverNotAllowed  who raised a hold, or already approved it, may not approve it
 └── Invalid
      ├── StepNotOfBatch          a remark or photo names a step the batch does not have
      ├── StepValuesRejected      hard limits, required values, types (every field named)
      ├── ParametersRejected      batch parameters outside their limits or missing
      ├── NothingToCorrect
      ├── TracedValueNotCorrectable   scanned codes and balance weights are not edited
      └── BranchChangedByCorrection   a correction would flip a condition already acted on
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procedures.guardrails import FieldProblem
from procedures.states import BatchStatus, StepStatus
from server.clock import isoformat
from server.errors import Conflict, Forbidden, Invalid, NotFound, Problem


def request_problems(problems: list[FieldProblem], prefix: str = "values") -> list[Problem]:
    """The recipe core's field problems, named by their path in the request."""
    return [
        Problem(
            p.field if p.field == "comment" else f"{prefix}.{p.field}",
            p.message,
            code=p.code,
            value=p.value,
            limit=p.limit,
        )
        for p in problems
    ]


class BatchNotFound(NotFound):
    def __init__(self, batch_id: str) -> None:
        super().__init__(f"No batch with id {batch_id!r}.")


class StepNotFound(NotFound):
    def __init__(self, batch_id: str, step_id: str) -> None:
        super().__init__(f"Batch {batch_id!r} has no step {step_id!r}.")


class BatchNumberTaken(Conflict):
    def __init__(self, batch_number: str) -> None:
        super().__init__(f"Batch number {batch_number!r} is already used.")


class BatchNotInProgress(Conflict):
    def __init__(self, batch_number: str, status: BatchStatus) -> None:
        super().__init__(f"Batch {batch_number} is {status}.", current={"status": status})


class StepNotActive(Conflict):
    def __init__(self, step_id: str, current: dict[str, Any]) -> None:
        super().__init__(f"Step {step_id!r} is {current['state']}, not active.", current=current)


class HoldNotElapsed(Conflict):
    def __init__(self, step_id: str, earliest: datetime) -> None:
        super().__init__(
            f"Step {step_id!r} cannot be completed before {isoformat(earliest)} "
            "(minimum hold time).",
            current={"state": StepStatus.ACTIVE, "earliest": isoformat(earliest)},
        )


class NotCorrectable(Conflict):
    def __init__(self, step_id: str, state: StepStatus) -> None:
        super().__init__(
            f"Step {step_id!r} is {state}; only completed steps can be corrected.",
            current={"state": state},
        )


class SelfVerification(Forbidden):
    def __init__(self, step_id: str) -> None:
        super().__init__(
            f"Step {step_id!r} must be verified by a different person than the one who "
            "performed it."
        )


class StepValuesRejected(Invalid):
    def __init__(self, step_id: str, problems: list[FieldProblem]) -> None:
        super().__init__(
            f"Step {step_id!r} was not recorded: "
            + "; ".join(problem.message for problem in problems),
            problems=request_problems(problems),
        )


class ParametersRejected(Invalid):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(
            "Batch parameters refused: " + "; ".join(p.message for p in problems),
            problems=request_problems(problems, prefix="parameters"),
        )


class NothingToCorrect(Invalid):
    def __init__(self, step_id: str) -> None:
        super().__init__(
            f"The correction of step {step_id!r} changes no value.",
            problems=[Problem("values", "give at least one changed value")],
        )


class TracedValueNotCorrectable(Invalid):
    """Scanned codes, balance weights and dispensed containers are facts, not typing errors."""

    def __init__(self, step_id: str, names: list[str]) -> None:
        super().__init__(
            f"Step {step_id!r}: {', '.join(names)} came from a scan or a balance and cannot be "
            "corrected by editing; raise a deviation instead.",
            problems=[Problem(f"values.{n}", "recorded from a scan or balance") for n in names],
        )


class BranchChangedByCorrection(Invalid):
    """A correction would change whether a step already completed or skipped applies."""

    def __init__(self, step_id: str, condition: str, fields: list[str]) -> None:
        super().__init__(
            f"The correction would change whether step {step_id!r} applies ({condition}), "
            "which was already acted on; raise a deviation instead.",
            problems=[Problem(f"values.{name}", f"decides step {step_id!r}") for name in fields],
        )


class BatchRecordClosed(Conflict):
    def __init__(self, batch_number: str, status: BatchStatus) -> None:
        super().__init__(
            f"Batch {batch_number} is {status}: its record takes no new annotations, chat "
            "messages, attachments, recordings or streams.",
            current={"status": status},
        )


class BatchLocked(Conflict):
    """QA released or rejected the batch: its record is final (Annex 11 §8, 21 CFR 211.192)."""

    def __init__(self, batch_number: str, status: BatchStatus) -> None:
        super().__init__(
            f"Batch {batch_number} is {status}: its record is locked and takes no change "
            "(steps, corrections, annotations, chat, attachments, recordings, streams, holds).",
            current={"status": status},
        )


class BatchOnHold(Conflict):
    """A blocking exception stopped the batch: no step is completed until continuation is
    approved. `hold` is the hold as the API shows it."""

    def __init__(self, batch_number: str, hold: dict[str, Any]) -> None:
        number = hold.get("deviation_number")
        exception = f"{hold['reason']} ({number})" if number else hold["reason"]
        super().__init__(
            f"Batch {batch_number} is on hold: {exception}. A supervisor or QA must approve "
            "continuation before any step is completed.",
            current={"status": BatchStatus.ON_HOLD, "hold": hold},
        )


class HoldNotFound(NotFound):
    def __init__(self, batch_id: str, hold_id: str) -> None:
        super().__init__(f"Batch {batch_id!r} has no hold {hold_id!r}.")


class HoldLifted(Conflict):
    def __init__(self, hold_id: str, lifted_at: datetime) -> None:
        super().__init__(
            f"Hold {hold_id!r} was already lifted at {isoformat(lifted_at)}.",
            current={"lifted_at": isoformat(lifted_at)},
        )


class HoldApproverNotAllowed(Forbidden):
    """Segregation of duties on a continuation approval."""

    def __init__(self, username: str, why: str) -> None:
        super().__init__(
            f"{username!r} may not approve continuation of this hold: {why}.",
            problems=[Problem("signature.username", why)],
        )


class StepNotOfBatch(Invalid):
    def __init__(self, step_id: str, batch_id: str) -> None:
        super().__init__(
            f"Batch {batch_id!r} has no step {step_id!r}.",
            problems=[Problem("step_id", "not a step of this batch")],
        )


class OutputNotPossible(Conflict):
    """The output lot a step yields cannot be created: its material is not in the master, or
    its unit cannot be expressed in the material's unit."""

    def __init__(self, step_id: str, reason: str) -> None:
        super().__init__(f"Step {step_id!r} cannot produce its output: {reason}.")
        self.step_id = step_id
