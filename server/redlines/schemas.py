"""Redline API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from procedures.redlines import change_lines
from server.redlines.models import Redline
from server.web.people import PersonOut
from server.web.schemas import SignatureIn, Strict


class ProposeRedlineIn(Strict):
    """The whole definition the batch is to follow (the batch's current definition, edited)
    and why."""

    definition: dict[str, Any]
    reason: str = Field(min_length=1, max_length=4000)


class ApproveRedlineIn(Strict):
    """QA's e-signed approval (meaning `approved`)."""

    signature: SignatureIn


class RejectRedlineIn(Strict):
    reason: str = Field(min_length=1, max_length=4000)


class RedlineOut(BaseModel):
    """A redline of one batch: the change to the master it makes, why, and its decision."""

    id: str
    batch_id: str
    number: int
    status: str = Field(description="proposed, approved or rejected")
    reason: str
    proposed_by: PersonOut
    proposed_at: datetime
    decided_by: PersonOut | None
    decided_at: datetime | None
    decision_comment: str | None = Field(description="Why it was rejected.")
    base_hash: str = Field(description="Content hash of the definition it was proposed against.")
    content_hash: str = Field(
        description="Content hash of the definition it makes the batch follow."
    )
    deviation_id: str | None = Field(description="The procedure_change deviation approval opened.")
    changes: list[str] = Field(description="Each change to the master, one sentence each.")
    diff: dict[str, Any] = Field(
        description="What changes, as the version diff shows it (README, Authoring procedures)."
    )
    definition: dict[str, Any]

    @classmethod
    def of(cls, redline: Redline) -> RedlineOut:
        return cls(
            id=redline.id,
            batch_id=redline.batch_id,
            number=redline.number,
            status=redline.status,
            reason=redline.reason,
            proposed_by=PersonOut.of(redline.proposer),
            proposed_at=redline.proposed_at,
            decided_by=PersonOut.of(redline.decider),
            decided_at=redline.decided_at,
            decision_comment=redline.decision_comment,
            base_hash=redline.base_hash,
            content_hash=redline.content_hash,
            deviation_id=redline.deviation_id,
            changes=change_lines(redline.diff),
            diff=redline.diff,
            definition=redline.definition,
        )
