"""Redline failures.

StepwiseError
 ├── NotFound
 │    └── RedlineNotFound       the batch has no redline with that id
 ├── Conflict
 │    ├── BatchNotRunning       a batch completed, released or rejected takes no redline
 │    ├── RedlineDecided        the redline was approved or rejected already
 │    └── RedlineStale          the batch's procedure changed since it was proposed
 ├── Forbidden
 │    └── RedlineSelfApproval   who proposed a redline may not approve it
 └── Invalid
      └── RedlineRefused        the change touches what the batch has done (JSON pointers)
"""

from __future__ import annotations

from server.errors import Conflict, Forbidden, Invalid, NotFound, Problem


class RedlineNotFound(NotFound):
    def __init__(self, batch_id: str, redline_id: str) -> None:
        super().__init__(f"Batch {batch_id!r} has no redline {redline_id!r}.")


class BatchNotRunning(Conflict):
    def __init__(self, batch_number: str, status: str) -> None:
        super().__init__(
            f"Batch {batch_number} is {status}; only a batch not yet completed can be redlined.",
            current={"status": status},
        )


class RedlineDecided(Conflict):
    def __init__(self, number: int, status: str) -> None:
        super().__init__(f"Redline {number} is already {status}.", current={"status": status})


class RedlineStale(Conflict):
    def __init__(self, number: int) -> None:
        super().__init__(
            f"Redline {number} was proposed against a procedure this batch no longer follows "
            "(another redline was approved since); propose it again.",
            current={"status": "proposed"},
        )


class RedlineSelfApproval(Forbidden):
    def __init__(self) -> None:
        super().__init__("Whoever proposed a redline may not approve it.")


class RedlineRefused(Invalid):
    """Lists every reason at its JSON pointer in the proposed definition."""

    def __init__(self, issues: list[tuple[str, str]]) -> None:
        super().__init__(
            "The redline was refused: " + "; ".join(message for _, message in issues),
            problems=[
                Problem(pointer, message, details={"pointer": pointer})
                for pointer, message in issues
            ],
        )
