"""Approving continuation of a held batch: an e-signature (meaning `approved`) by a
supervisor or QA who did not raise the hold, once or twice as the procedure says; the last
approval lifts the hold and, with no other hold left, the batch goes on where it stopped."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches import holds
from server.batches.exceptions import HoldApproverNotAllowed, HoldLifted, HoldNotFound
from server.batches.execution import resume_batch
from server.batches.hold_views import HoldView, hold_views
from server.batches.lock import check_unlocked
from server.batches.models import Batch, HoldApproval
from server.batches.record import locked_batch
from server.clock import isoformat, utcnow
from server.config import Settings
from server.signatures import service as signatures

APPROVERS = frozenset({"supervisor", "qa"})


async def approve_continuation(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch_id: str,
    hold_id: str,
    *,
    signature: signatures.SignatureRequest | None,
    comment: str | None,
) -> Batch:
    """Record one e-signed approval to continue; the batch, resumed if this lifted its last
    hold."""
    batch = await locked_batch(session, batch_id)
    check_unlocked(batch)
    found = await hold_views(session, batch_id, hold_id)
    if not found:
        raise HoldNotFound(batch_id, hold_id)
    view = found[0]
    hold = view.hold
    if hold.lifted_at is not None:
        raise HoldLifted(hold.id, hold.lifted_at)
    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning="approved",
        current_user=user,
        authority=signatures.Authority(
            f"approving continuation of batch {batch.batch_number}", APPROVERS, _segregated(view)
        ),
        subject=signatures.Subject("hold", hold.id, batch.id),
    )
    signed = await signatures.apply(
        session,
        signer,
        "approved",
        {
            "batch_id": batch.id,
            "batch_number": batch.batch_number,
            "hold_id": hold.id,
            "deviation_id": hold.deviation_id,
            "step_id": hold.step_id,
            "reason": hold.reason,
            "comment": comment,
        },
        batch_id=batch.id,
        signed_in=user,
    )
    now = utcnow()
    hold.approvals.append(
        HoldApproval(
            hold_id=hold.id,
            user_id=signer.id,
            signature_id=signed.id,
            approved_at=now,
            comment=comment,
        )
    )
    count = len(hold.approvals)
    await audit.record(
        session,
        auth.actor_of(user),
        "hold.approved",
        "hold",
        hold.id,
        new={
            "signed_by": signatures.signed_by(signer),
            "approvals": count,
            "approvals_required": hold.approvals_required,
        },
        reason=comment,
        batch_id=batch.id,
    )
    if count < hold.approvals_required:
        holds.announce(session, hold, "approved", signer)
        return batch
    hold.lifted_at = now
    await audit.record(
        session,
        auth.actor_of(user),
        "hold.lifted",
        "hold",
        hold.id,
        old={"lifted_at": None},
        new={"lifted_at": isoformat(now), "step_id": hold.step_id},
        reason=f"continuation approved ({count} of {hold.approvals_required})",
        batch_id=batch.id,
    )
    holds.announce(session, hold, "lifted", signer)
    await session.flush()
    if not await holds.unlifted(session, batch.id):
        await resume_batch(session, user, batch)
    return batch


def _segregated(view: HoldView) -> Callable[[User], None]:
    """The segregation of duties of a continuation approval."""
    hold = view.hold

    def check(signer: User) -> None:
        if signer.id == hold.raised_by:
            raise HoldApproverNotAllowed(
                signer.username, "whoever raised a hold cannot approve its continuation"
            )
        if signer.id in view.approvers:
            raise HoldApproverNotAllowed(
                signer.username, "they approved it already; the next approval is another person's"
            )

    return check
