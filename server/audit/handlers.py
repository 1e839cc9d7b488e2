"""Audit trail endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from server.audit import service as audit
from server.audit.schemas import AuditEntryOut, ChainReportOut
from server.auth.roles import QUALITY_OVERSIGHT
from server.batches import service as batches
from server.web.api import Api, Call

api = Api("audit")


@api.route(
    "GET",
    "/batches/{batch_id}/audit",
    summary="The audit trail of a batch",
    roles=QUALITY_OVERSIGHT,
    response=list[AuditEntryOut],
)
async def batch_audit(call: Call[None]) -> list[AuditEntryOut]:
    batch_id = call.param("batch_id")
    await batches.load_record(call.session, batch_id)
    return [AuditEntryOut.of(e) for e in await audit.entries_for_batch(call.session, batch_id)]


@api.route(
    "GET",
    "/audit/verify",
    summary="Verify the hash chain of the whole audit trail",
    roles=QUALITY_OVERSIGHT,
    response=ChainReportOut,
)
async def verify(call: Call[None]) -> BaseModel:
    report = await audit.verify_chain(call.session)
    return ChainReportOut(ok=report.ok, entries=report.entries, first_broken=report.first_broken)
