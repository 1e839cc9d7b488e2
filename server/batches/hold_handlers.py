"""Continuation of a held batch: a supervisor's or QA's e-signed approval."""

from __future__ import annotations

from server.batches import service as batches
from server.batches.continuation import APPROVERS, approve_continuation
from server.batches.schemas import ApproveHoldIn, BatchOut
from server.web.api import Api, Call
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("batches")


@api.route(
    "POST",
    "/batches/{batch_id}/holds/{hold_id}/approve",
    summary="Approve continuation of a held batch (e-signature, meaning approved; not by "
    "whoever raised the hold, not twice by one person)",
    roles=APPROVERS,
    body=ApproveHoldIn,
    response=BatchOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def approve_hold(call: Call[ApproveHoldIn]) -> BatchOut:
    batch = await approve_continuation(
        call.session,
        call.settings,
        call.user,
        call.param("batch_id"),
        call.param("hold_id"),
        signature=call.prepared_as(VerifiedSignatures).request(call.body.signature),
        comment=call.body.comment,
    )
    return BatchOut.of_record(await batches.load_record(call.session, batch.id))
