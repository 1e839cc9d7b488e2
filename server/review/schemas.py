"""Review and release API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from server.batches.schemas import HoldApprovalOut
from server.review.items import ItemKind, ReviewItem
from server.review.service import Mark, Review
from server.web.people import PersonOut
from server.web.schemas import SignatureIn, Strict


class ReviewedOut(BaseModel):
    """The review mark of an item: who signed it (meaning `reviewed`), when, and why."""

    by: PersonOut | None
    at: datetime
    meaning: Literal["reviewed"] = "reviewed"
    comment: str | None


class ReviewItemOut(BaseModel):
    """One exception of the batch, with the context a reviewer judges it in."""

    id: str = Field(description="Stable: `deviation:<id>`, `correction:<value id>`, ...")
    kind: ItemKind
    title: str
    detail: str
    step_id: str | None
    step_title: str | None
    field: str | None
    value: Any = None
    unit: str | None
    limits: dict[str, float] | None = Field(
        description="From the procedure: min, max, alert_min, alert_max (those set)."
    )
    at: datetime | None
    by: PersonOut | None
    deviation_id: str | None = None
    deviation_number: str | None = None
    deviation_status: str | None = None
    deviation_kind: str | None = None
    severity: str | None = None
    old_value: Any = None
    new_value: Any = None
    reason: str | None = None
    approvals: list[HoldApprovalOut] = Field(
        default_factory=list, description="Holds: the continuation approvals given."
    )
    lifted_at: datetime | None = None
    reviewed: ReviewedOut | None

    @classmethod
    def of(cls, item: ReviewItem, mark: Mark | None) -> ReviewItemOut:
        reviewed = (
            ReviewedOut(
                by=PersonOut.of(mark.by), at=mark.mark.reviewed_at, comment=mark.mark.comment
            )
            if mark
            else None
        )
        return cls(
            id=item.id,
            kind=item.kind,
            title=item.title,
            detail=item.detail,
            step_id=item.step_id,
            step_title=item.step_title,
            field=item.field,
            value=item.value,
            unit=item.unit,
            limits=item.limits,
            at=item.at,
            by=PersonOut.of(item.by),
            deviation_id=item.deviation_id,
            deviation_number=item.deviation_number,
            deviation_status=item.deviation_status,
            deviation_kind=item.deviation_kind,
            severity=item.severity,
            old_value=item.old_value,
            new_value=item.new_value,
            reason=item.reason,
            approvals=[
                HoldApprovalOut(by=PersonOut.of(a.by), at=a.at, comment=a.comment)
                for a in item.approvals
            ],
            lifted_at=item.lifted_at,
            reviewed=reviewed,
        )


class IncompleteStepOut(BaseModel):
    step_id: str
    title: str
    state: str


class DecisionOut(BaseModel):
    decision: str = Field(description="`released` or `rejected`.")
    by: PersonOut | None
    at: datetime
    comment: str | None
    meaning: str = Field(description="The decision's signature meaning: the decision itself.")


class ReviewOut(BaseModel):
    """Review by exception: what the reviewer must read, against what the batch recorded."""

    batch_id: str
    batch_number: str
    status: str
    items: list[ReviewItemOut]
    data_points: int = Field(
        description="Recorded values (every revision), signatures given while making the "
        "batch, and lots or containers it used."
    )
    exceptions: int = Field(description="How many items the reviewer must read.")
    unreviewed: int
    ready: bool = Field(description="Nothing stands in the way of releasing the batch.")
    blocking: list[str] = Field(description="Every reason the batch may not be released yet.")
    incomplete_steps: list[IncompleteStepOut]
    decision: DecisionOut | None

    @classmethod
    def of(cls, review: Review) -> ReviewOut:
        batch = review.batch
        decision = None
        if batch.status.locked and batch.decided_at is not None:
            decision = DecisionOut(
                decision=str(batch.status),
                by=PersonOut.of(review.decided_by),
                at=batch.decided_at,
                comment=batch.decision_comment,
                meaning=str(batch.status),
            )
        return cls(
            batch_id=batch.id,
            batch_number=batch.batch_number,
            status=batch.status,
            items=[ReviewItemOut.of(item, review.marks.get(item.id)) for item in review.items],
            data_points=review.data_points,
            exceptions=len(review.items),
            unreviewed=review.unreviewed,
            ready=review.ready,
            blocking=[blocker.message for blocker in review.blockers],
            incomplete_steps=[
                IncompleteStepOut(step_id=s.step_id, title=s.title, state=s.state)
                for s in review.incomplete_steps
            ],
            decision=decision,
        )


class MarkReviewedIn(Strict):
    signature: SignatureIn = Field(description="The reviewer's e-signature, meaning `reviewed`.")
    comment: str | None = Field(default=None, max_length=4000)


class DecisionIn(Strict):
    decision: Literal["released", "rejected"]
    signature: SignatureIn = Field(
        description="QA's e-signature, meaning `released` or `rejected` as decided."
    )
    comment: str | None = Field(
        default=None, max_length=4000, description="Required for a rejection: the reason."
    )
