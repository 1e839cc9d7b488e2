"""Review and release endpoints: the batch's exceptions, review marks, the decision."""

from __future__ import annotations

from server.auth.roles import EVERYONE
from server.batches import service as batches
from server.batches.schemas import BatchOut
from server.review import service as reviews
from server.review.schemas import DecisionIn, MarkReviewedIn, ReviewOut
from server.web.api import Api, Call
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("review")


@api.route(
    "GET",
    "/batches/{batch_id}/review",
    summary="Review by exception: what a reviewer must look at, and what blocks release",
    roles=EVERYONE,
    response=ReviewOut,
)
async def get_review(call: Call[None]) -> ReviewOut:
    return ReviewOut.of(await reviews.review(call.session, call.param("batch_id")))


@api.route(
    "POST",
    "/batches/{batch_id}/review/{item_id}",
    summary="Mark one exception reviewed (e-signature, meaning `reviewed`)",
    roles=reviews.REVIEWERS,
    body=MarkReviewedIn,
    response=ReviewOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def mark_reviewed(call: Call[MarkReviewedIn]) -> ReviewOut:
    marked = await reviews.mark_reviewed(
        call.session,
        call.settings,
        call.user,
        call.param("batch_id"),
        call.param("item_id"),
        signature=call.prepared_as(VerifiedSignatures).request(call.body.signature),
        comment=call.body.comment,
    )
    return ReviewOut.of(marked)


@api.route(
    "POST",
    "/batches/{batch_id}/release",
    summary="Release or reject the batch (e-signature, meaning `released` or `rejected`)",
    roles=reviews.REVIEWERS,
    body=DecisionIn,
    response=BatchOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def decide(call: Call[DecisionIn]) -> BatchOut:
    batch = await reviews.decide(
        call.session,
        call.settings,
        call.user,
        call.param("batch_id"),
        call.body.decision,
        signature=call.prepared_as(VerifiedSignatures).request(call.body.signature),
        comment=call.body.comment,
    )
    return BatchOut.of_record(await batches.load_record(call.session, batch.id))
