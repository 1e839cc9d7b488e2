"""Redline endpoints: the definition a batch follows, and changing it for that batch only."""

from __future__ import annotations

from typing import Any

from server.auth.roles import EVERYONE, SUPERVISION
from server.batches.record import load_record
from server.redlines import service as redlines
from server.redlines.schemas import (
    ApproveRedlineIn,
    ProposeRedlineIn,
    RedlineOut,
    RejectRedlineIn,
)
from server.web.api import Api, Call
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("redlines")


@api.route(
    "GET",
    "/batches/{batch_id}/definition",
    summary="The procedure definition the batch follows (its version's, or its approved "
    "redline's): what a redline edits",
    roles=EVERYONE,
    response=dict[str, Any],
)
async def batch_definition(call: Call[None]) -> dict[str, Any]:
    record = await load_record(call.session, call.param("batch_id"))
    return record.definition.model_dump(mode="json")


@api.route(
    "GET",
    "/batches/{batch_id}/redlines",
    summary="The batch's redlines, in the order they were proposed",
    roles=EVERYONE,
    response=list[RedlineOut],
)
async def list_redlines(call: Call[None]) -> list[RedlineOut]:
    await load_record(call.session, call.param("batch_id"))
    return [
        RedlineOut.of(r) for r in await redlines.for_batch(call.session, call.param("batch_id"))
    ]


@api.route(
    "POST",
    "/batches/{batch_id}/redlines",
    summary="Propose a change to this batch's procedure (the whole definition, edited), with "
    "a reason; it takes effect only once QA approves it",
    roles=SUPERVISION,
    body=ProposeRedlineIn,
    response=RedlineOut,
    status=201,
    idempotent=True,
)
async def propose_redline(call: Call[ProposeRedlineIn]) -> RedlineOut:
    redline = await redlines.propose(
        call.session, call.user, call.param("batch_id"), call.body.definition, call.body.reason
    )
    return RedlineOut.of(redline)


@api.route(
    "POST",
    "/batches/{batch_id}/redlines/{redline_id}/approve",
    summary="Approve a redline (QA's e-signature, meaning approved; not by its proposer): the "
    "batch follows it from now on and a procedure_change deviation records it",
    roles=redlines.APPROVERS,
    body=ApproveRedlineIn,
    response=RedlineOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def approve_redline(call: Call[ApproveRedlineIn]) -> RedlineOut:
    redline = await redlines.approve(
        call.session,
        call.settings,
        call.user,
        call.param("batch_id"),
        call.param("redline_id"),
        call.prepared_as(VerifiedSignatures).request(call.body.signature),
    )
    return RedlineOut.of(redline)


@api.route(
    "POST",
    "/batches/{batch_id}/redlines/{redline_id}/reject",
    summary="Turn a proposed redline down, with the reason; the batch is unchanged",
    roles=redlines.APPROVERS,
    body=RejectRedlineIn,
    response=RedlineOut,
    idempotent=True,
)
async def reject_redline(call: Call[RejectRedlineIn]) -> RedlineOut:
    redline = await redlines.reject(
        call.session, call.user, call.param("batch_id"), call.param("redline_id"), call.body.reason
    )
    return RedlineOut.of(redline)
