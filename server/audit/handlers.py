"""Audit trail endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from server.audit import anchors
from server.audit import service as audit
from server.audit.context import SEAL_KEY
from server.audit.schemas import (
    AuditEntryOut,
    BatchChainReportOut,
    ChainReportOut,
    entry_mentions,
)
from server.audit.verification import verify_batch_chain, verify_trail
from server.auth import service as auth
from server.auth.roles import QUALITY_OVERSIGHT
from server.batches import service as batches
from server.concurrency import run_blocking
from server.web.api import Api, Call
from server.web.keys import SETTINGS

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
    entries = await audit.entries_for_batch(call.session, batch_id)
    mentioned = set().union(*(entry_mentions(entry) for entry in entries))
    people = await auth.users_by_id(call.session, mentioned)
    names = {user_id: user.full_name for user_id, user in people.items()}
    return [AuditEntryOut.of(entry, names) for entry in entries]


@api.route(
    "GET",
    "/batches/{batch_id}/audit/verify",
    summary="Verify one batch's audit chain on its own, and the seals that name it",
    roles=QUALITY_OVERSIGHT,
    response=BatchChainReportOut,
)
async def verify_batch(call: Call[None]) -> BaseModel:
    batch_id = call.param("batch_id")
    await batches.load_record(call.session, batch_id)
    verifier = call.request.app[SEAL_KEY].verifier
    return BatchChainReportOut.of(await verify_batch_chain(call.session, batch_id, verifier))


@api.route(
    "GET",
    "/audit/verify",
    summary="Verify the audit trail: every hash chain, its signed seals, and the record tables",
    roles=QUALITY_OVERSIGHT,
    response=ChainReportOut,
)
async def verify(call: Call[None]) -> BaseModel:
    key, settings = call.request.app[SEAL_KEY], call.request.app[SETTINGS]
    kept = await run_blocking(anchors.kept, anchors.anchor_file(settings.effective_audit_key_file))
    report = await verify_trail(call.session, key.verifier, [kept] if kept else [])
    return ChainReportOut.of(report)
