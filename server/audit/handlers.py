"""Audit trail endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from server.audit import anchors
from server.audit import service as audit
from server.audit.context import SEAL_KEY
from server.audit.models import AuditEntry
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
from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch
from server.concurrency import run_blocking
from server.db.paging import Page
from server.web import listing as lists
from server.web.api import Api, Call
from server.web.keys import SETTINGS

api = Api("audit")


@api.route(
    "GET",
    "/batches/{batch_id}/audit",
    summary="The audit trail of a batch",
    roles=QUALITY_OVERSIGHT,
    response=list[AuditEntryOut],
    paged=True,
    filters={"action": "Comma-separated actions (batch.created, step.completed, ...)"},
)
async def batch_audit(call: Call[None]) -> Page[AuditEntryOut]:
    batch_id = call.param("batch_id")
    if await call.session.get(Batch, batch_id) is None:
        raise BatchNotFound(batch_id)
    filters = audit.TrailFilters(batch_id=batch_id, actions=_actions(call))
    page = lists.page_request(call.request, audit.BATCH_TRAIL)
    found = await audit.trail_page(call.session, filters, page, audit.BATCH_TRAIL)
    return await _named(call, found)


async def _named(call: Call[None], found: Page[AuditEntry]) -> Page[AuditEntryOut]:
    """The page's entries with the full names of the people they mention."""
    mentioned = set().union(*(entry_mentions(entry) for entry in found.items))
    people = await auth.users_by_id(call.session, mentioned)
    names = {user_id: user.full_name for user_id, user in people.items()}
    return found.map(lambda entry: AuditEntryOut.of(entry, names))


def _actions(call: Call[None]) -> list[str]:
    text = lists.text(call.request, "action") or ""
    return [action.strip() for action in text.split(",") if action.strip()]


@api.route(
    "GET",
    "/audit",
    summary="The audit trail of the site, newest first, a page at a time",
    roles=QUALITY_OVERSIGHT,
    response=list[AuditEntryOut],
    paged=True,
    filters={
        "batch_id": "Entries about this batch",
        "actor": "Entries by this user (username or id) or actor label",
        "action": "Comma-separated actions (batch.created, step.completed, ...)",
        "from": "At or after (ISO-8601)",
        "before": "Before (ISO-8601)",
    },
)
async def site_audit(call: Call[None]) -> Page[AuditEntryOut]:
    request = call.request
    actor = lists.text(request, "actor")
    filters = audit.TrailFilters(
        batch_id=lists.text(request, "batch_id"),
        actor_id=await auth.user_id_of(call.session, actor) if actor else None,
        actor=actor,
        actions=_actions(call),
        at_from=lists.moment(request, "from"),
        at_before=lists.moment(request, "before"),
    )
    page = lists.page_request(request, audit.TRAIL)
    return await _named(call, await audit.trail_page(call.session, filters, page))


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
