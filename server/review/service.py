"""Review by exception and the release decision: read a batch's exceptions, mark each
reviewed with an e-signature (meaning `reviewed`), release or reject the batch (meaning
`released` / `rejected`, QA only, by someone who took no part in making it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.states import BatchStatus
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.auth import service as auth
from server.auth.models import User
from server.batches import service as batches
from server.batches.exceptions import BatchNotFound
from server.batches.hold_views import batch_holds
from server.batches.lock import check_unlocked
from server.batches.models import Batch
from server.clock import isoformat
from server.config import Settings
from server.events.schemas import BatchEvent
from server.events.staging import stage
from server.materials.models import MaterialUse
from server.review.exceptions import (
    AlreadyReviewed,
    BatchNotStarted,
    DeciderTookPart,
    RejectionReasonMissing,
    ReleaseRefused,
    ReviewItemNotFound,
)
from server.review.items import (
    REFUSED_SIGNATURE,
    BatchFacts,
    Person,
    ReviewItem,
    review_items,
)
from server.review.models import ReviewMark
from server.review.readiness import Blocker, IncompleteStep, blockers, data_points
from server.review.readiness import incomplete_steps as incomplete_steps_of
from server.signatures import service as signatures
from server.signatures.models import Signature

REVIEWERS = frozenset({"qa"})
# Signatures by which someone took part in making the batch.
PARTICIPATION = frozenset({"performed", "verified", "corrected"})
Decision = Literal["released", "rejected"]


@dataclass(frozen=True)
class Mark:
    """A review mark with the person who signed it."""

    mark: ReviewMark
    by: Person | None


@dataclass(frozen=True)
class Review:
    """A batch as its reviewer sees it: its exceptions and what still stands in the way."""

    batch: Batch
    items: Sequence[ReviewItem]
    marks: Mapping[str, Mark]
    data_points: int
    incomplete_steps: Sequence[IncompleteStep]
    blockers: Sequence[Blocker]
    decided_by: Person | None

    @property
    def unreviewed(self) -> int:
        return sum(1 for item in self.items if item.id not in self.marks)

    @property
    def ready(self) -> bool:
        """Nothing stands in the way of the release and it has not been decided yet."""
        return not self.blockers and self.batch.status is BatchStatus.COMPLETED


async def review(session: AsyncSession, batch_id: str) -> Review:
    """Everything a reviewer must look at in the batch, with their marks."""
    record = await batches.load_record(session, batch_id)
    batch = record.batch
    holds = await batch_holds(session, batch_id)
    refusals = (
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.batch_id == batch_id)
            .where(AuditEntry.action.endswith(REFUSED_SIGNATURE, autoescape=True))
            .order_by(AuditEntry.seq)
        )
    ).all()
    marks = (await session.scalars(select(ReviewMark).where(ReviewMark.batch_id == batch_id))).all()
    uses = await session.scalar(
        select(func.count()).select_from(MaterialUse).where(MaterialUse.batch_id == batch_id)
    )
    people = await _people(
        session,
        [
            *(d.opened_by for d in record.deviations),
            *(v.entered_by for r in batch.steps for v in r.values),
            *(h.raised_by for h in holds),
            *(a.user_id for h in holds for a in h.approvals),
            *(e.actor_id for e in refusals if e.actor_id),
            *(m.reviewed_by for m in marks),
            *([batch.decided_by] if batch.decided_by else []),
        ],
    )
    facts = BatchFacts(
        batch=batch,
        definition=record.definition,
        deviations=record.deviations,
        holds=holds,
        refusals=refusals,
        people=people,
        dispense_targets=record.dispense_targets,
    )
    items = review_items(facts)
    incomplete = incomplete_steps_of(batch, record.definition)
    by_item = {m.item_id: Mark(m, people.get(m.reviewed_by)) for m in marks}
    return Review(
        batch=batch,
        items=items,
        marks=by_item,
        data_points=data_points(batch, [s.meaning for s in record.signatures], uses or 0),
        incomplete_steps=incomplete,
        blockers=blockers(batch, incomplete, record.deviations, items, by_item.keys()),
        decided_by=people.get(batch.decided_by) if batch.decided_by else None,
    )


async def _people(session: AsyncSession, user_ids: Iterable[str]) -> dict[str, Person]:
    users = await auth.users_by_id(session, user_ids)
    return {user.id: Person(user.username, user.full_name) for user in users.values()}


async def _for_change(session: AsyncSession, batch_id: str) -> Review:
    """The review of a batch about to change, read under its row lock (PostgreSQL): two
    reviewers marking at once queue here. A decided batch takes no change."""
    found = await session.scalar(
        select(Batch.batch_number).where(Batch.id == batch_id).with_for_update()
    )
    if found is None:
        raise BatchNotFound(batch_id)
    current = await review(session, batch_id)
    check_unlocked(current.batch)
    return current


async def mark_reviewed(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch_id: str,
    item_id: str,
    *,
    signature: signatures.SignatureRequest | None,
    comment: str | None = None,
) -> Review:
    """Mark one exception reviewed, e-signed by QA with the meaning `reviewed`; audited."""
    current = await _for_change(session, batch_id)
    batch = current.batch
    item = next((i for i in current.items if i.id == item_id), None)
    if item is None:
        raise ReviewItemNotFound(batch.batch_number, item_id)
    if (done := current.marks.get(item_id)) is not None:
        raise AlreadyReviewed(item_id, done.by.full_name if done.by else done.mark.reviewed_by)
    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning="reviewed",
        current_user=user,
        authority=signatures.Authority("reviewing an exception of a batch", REVIEWERS),
        subject=signatures.Subject("review", item_id, batch.id),
    )
    content = {"batch_id": batch.id, "batch_number": batch.batch_number, "item": item.content()}
    signed = await signatures.apply(
        session, signer, "reviewed", content, batch_id=batch.id, signed_in=user
    )
    mark = ReviewMark(
        batch_id=batch.id,
        item_id=item_id,
        reviewed_by=signer.id,
        reviewed_at=signed.signed_at,
        signature_id=signed.id,
        comment=comment,
    )
    session.add(mark)
    await session.flush()
    await audit.record(
        session,
        auth.actor_of(user),
        "review.marked",
        "review_mark",
        mark.id,
        new={
            "item_id": item_id,
            "kind": item.kind,
            "reviewed_by": signatures.signed_by(signer),
            "signature_id": signed.id,
            "reviewed_at": isoformat(signed.signed_at),
            "comment": comment,
        },
        reason=comment,
        batch_id=batch.id,
    )
    return await review(session, batch_id)


async def decide(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch_id: str,
    decision: Decision,
    *,
    signature: signatures.SignatureRequest | None,
    comment: str | None = None,
) -> Batch:
    """Release or reject the batch, e-signed by QA with the decision as its meaning; the
    batch is locked from then on. A release needs every exception reviewed and nothing
    open; a rejection needs a reason and may end an unfinished batch."""
    if decision == "rejected" and not (comment and comment.strip()):
        raise RejectionReasonMissing()
    current = await _for_change(session, batch_id)
    batch = current.batch
    if batch.status is BatchStatus.CREATED:
        raise BatchNotStarted(batch.batch_number)
    participants = await _participants(session, batch)

    def took_no_part(signer: User) -> None:
        if signer.id in participants:
            raise DeciderTookPart(signer.username, batch.batch_number, decision)

    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning=decision,
        current_user=user,
        authority=signatures.Authority(
            "releasing a batch" if decision == "released" else "rejecting a batch",
            REVIEWERS,
            took_no_part,
        ),
        subject=signatures.Subject("release", batch.id, batch.id),
    )
    if decision == "released" and current.blockers:
        raise ReleaseRefused(batch.batch_number, current.blockers)
    return await _record_decision(session, user, signer, batch, decision, comment)


async def _participants(session: AsyncSession, batch: Batch) -> set[str]:
    """Who performed or verified a step of the batch, or signed a correction of it."""
    signed = await session.scalars(
        select(Signature.user_id)
        .where(Signature.batch_id == batch.id)
        .where(Signature.meaning.in_(PARTICIPATION))
    )
    performers = {record.completed_by for record in batch.steps if record.completed_by}
    return performers | set(signed)


async def _record_decision(
    session: AsyncSession,
    user: User,
    signer: User,
    batch: Batch,
    decision: Decision,
    comment: str | None,
) -> Batch:
    before = batch.status
    content = {
        "batch_id": batch.id,
        "batch_number": batch.batch_number,
        "decision": decision,
        "comment": comment,
        "procedure_content_hash": batch.procedure_version.content_hash,
    }
    signed = await signatures.apply(
        session, signer, decision, content, batch_id=batch.id, signed_in=user
    )
    batch.status = BatchStatus(decision)
    batch.decided_at = signed.signed_at
    batch.decided_by = signer.id
    batch.decision_comment = comment
    await audit.record(
        session,
        auth.actor_of(user),
        f"batch.{decision}",
        "batch",
        batch.id,
        old={"status": before},
        new={
            "status": batch.status,
            "decided_by": signatures.signed_by(signer),
            "decided_at": isoformat(signed.signed_at),
            "signature_id": signed.id,
        },
        reason=comment,
        batch_id=batch.id,
    )
    stage(session, BatchEvent(batch_id=batch.id, status=batch.status))
    return batch
