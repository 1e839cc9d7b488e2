"""Deviation lifecycle failures.

StepwiseError
 ├── NotFound
 │    └── DeviationNotFound
 ├── Conflict
 │    ├── DeviationResolved       closed or cancelled: it takes no more facts or decisions
 │    └── BatchLocked             released or rejected: its deviations are frozen with it
 ├── Forbidden
 │    └── SeverityReservedToQa    only QA grades a deviation
 └── Invalid
      ├── NothingChanged          a change of facts that changes nothing
      ├── FactsMissing            closing needs the impact and the root cause first
      └── StepNotOfBatch          an observation names a step the batch does not have
"""

from __future__ import annotations

from procedures.states import BatchStatus
from server.deviations.states import DeviationStatus
from server.errors import Conflict, Forbidden, Invalid, NotFound, Problem


class DeviationNotFound(NotFound):
    def __init__(self, deviation_id: str) -> None:
        super().__init__(f"No deviation with id {deviation_id!r}.")


class DeviationResolved(Conflict):
    def __init__(self, number: str, status: DeviationStatus) -> None:
        super().__init__(
            f"Deviation {number} is {status}: it can no longer be changed.",
            current={"status": status},
        )


class BatchLocked(Conflict):
    def __init__(self, batch_number: str, status: BatchStatus) -> None:
        super().__init__(
            f"Batch {batch_number} is {status}: its record, deviations included, is locked.",
            current={"status": status},
        )


class SeverityReservedToQa(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only QA may set the severity of a deviation.",
            problems=[Problem("severity", "only a user with the role qa may change it")],
        )


class NothingChanged(Invalid):
    def __init__(self, number: str) -> None:
        super().__init__(
            f"The change of deviation {number} changes nothing.",
            problems=[Problem("body", "give at least one fact that differs from the current")],
        )


class FactsMissing(Invalid):
    def __init__(self, number: str, fields: list[str]) -> None:
        super().__init__(
            f"Deviation {number} cannot be closed before its {' and '.join(fields)} are recorded.",
            problems=[Problem(name, "required before closing") for name in fields],
        )


class StepNotOfBatch(Invalid):
    def __init__(self, step_id: str, batch_number: str) -> None:
        super().__init__(
            f"Batch {batch_number} has no step {step_id!r}.",
            problems=[Problem("step_id", "not a step of this batch")],
        )
