"""Review and release failures.

StepwiseError
 ├── NotFound
 │    └── ReviewItemNotFound      the batch has no exception with that id
 ├── Conflict                    (a decided batch answers server.batches BatchLocked)
 │    ├── AlreadyReviewed         the item carries a review mark already
 │    ├── BatchNotStarted         a batch never started has nothing to reject
 │    └── ReleaseRefused          every reason still open (incomplete step, unresolved
 │                                deviation, unreviewed item, hold), one problem each
 ├── Forbidden
 │    └── DeciderTookPart         who performed or verified a step may not release the batch
 └── Invalid
      └── RejectionReasonMissing  a rejection says why
"""

from __future__ import annotations

from collections.abc import Sequence

from procedures.states import BatchStatus
from server.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from server.review.readiness import Blocker


class ReviewItemNotFound(NotFound):
    def __init__(self, batch_number: str, item_id: str) -> None:
        super().__init__(f"Batch {batch_number} has no review item {item_id!r}.")


class AlreadyReviewed(Conflict):
    def __init__(self, item_id: str, reviewed_by: str) -> None:
        super().__init__(
            f"Review item {item_id!r} was already reviewed by {reviewed_by}.",
            current={"item_id": item_id, "reviewed_by": reviewed_by},
        )


class BatchNotStarted(Conflict):
    def __init__(self, batch_number: str) -> None:
        super().__init__(
            f"Batch {batch_number} was never started: there is nothing to reject.",
            current={"status": BatchStatus.CREATED},
        )


class ReleaseRefused(Conflict):
    """Release while anything is open: each reason is one problem of the answer."""

    def __init__(self, batch_number: str, reasons: Sequence[Blocker]) -> None:
        super().__init__(
            f"Batch {batch_number} cannot be released yet: "
            + " ".join(reason.message for reason in reasons)
        )
        self.problems = tuple(Problem(r.field, r.message, code=r.code) for r in reasons)


class DeciderTookPart(Forbidden):
    """Segregation of duties: whoever decides on a batch took no part in making it."""

    def __init__(self, username: str, batch_number: str, decision: str) -> None:
        super().__init__(
            f"{username!r} performed or verified a step of batch {batch_number} and so may not "
            f"sign it {decision}: the release decision needs someone who took no part in it.",
            problems=[
                Problem(
                    "signature.username",
                    "the signer performed or verified a step of this batch",
                    code="took_part_in_batch",
                )
            ],
        )


class RejectionReasonMissing(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "A rejection must say why: give the reason as `comment`.",
            problems=[Problem("comment", "give the reason for the rejection")],
        )
