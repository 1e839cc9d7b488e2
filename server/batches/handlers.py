"""Batch endpoints: create, start, complete and correct steps, read the record."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.roles import EVERYONE, SHOP_FLOOR, SUPERVISION
from server.batches import listing
from server.batches import service as batches
from server.batches.balance_readings import BalanceReadings, read_ahead
from server.batches.schemas import (
    BatchOut,
    BatchSummary,
    CompleteStepIn,
    CompletionOut,
    CorrectionOut,
    CorrectStepIn,
    CreateBatchIn,
)
from server.batches.traceability import Override
from server.db.paging import Page
from server.events import journal
from server.web import listing as lists
from server.web.api import Api, Call, Preparation
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("batches")
PERFORMERS = SHOP_FLOOR | {"qa"}


async def _record(call: Call[object], batch_id: str) -> BatchOut:
    return BatchOut.of_record(await batches.load_record(call.session, batch_id))


@api.route(
    "POST",
    "/batches",
    summary="Create a batch from an approved procedure",
    roles=SUPERVISION,
    body=CreateBatchIn,
    response=BatchOut,
    status=201,
    idempotent=True,
)
async def create_batch(call: Call[CreateBatchIn]) -> BatchOut:
    batch = await batches.create_batch(
        call.session,
        call.user,
        procedure_key=call.body.procedure,
        version=call.body.version,
        batch_number=call.body.batch_number,
        parameters=call.body.parameters,
    )
    return await _record(call, batch.id)


@api.route(
    "GET",
    "/batches",
    summary="List batches, newest first, a page at a time",
    roles=EVERYONE,
    response=list[BatchSummary],
    paged=True,
    filters={
        "status": "Comma-separated statuses: " + ", ".join(listing.STATUSES),
        "procedure": "A procedure key",
        "product": "The product its procedure makes (as named in the procedure)",
        "batch_number": "A prefix of the batch number",
        "created_from": "Created at or after (ISO-8601)",
        "created_before": "Created before (ISO-8601)",
        "operator": "Started by, or with a step performed by, this user (username or id)",
        "open_deviations": "true: only batches with open deviations; false: only without",
    },
)
async def list_batches(call: Call[None]) -> Page[BatchSummary]:
    request = call.request
    filters = listing.BatchFilters(
        statuses=lists.choices(request, "status", listing.STATUSES),
        procedure=lists.text(request, "procedure"),
        product=lists.text(request, "product"),
        number_prefix=lists.text(request, "batch_number"),
        created_from=lists.moment(request, "created_from"),
        created_before=lists.moment(request, "created_before"),
        operator=lists.text(request, "operator"),
        open_deviations=lists.flag(request, "open_deviations"),
    )
    page = lists.page_request(request, listing.KEYSET)
    found = await listing.list_batches(call.session, filters, page)
    return found.map(BatchSummary.of_row)


@api.route(
    "GET", "/batches/{batch_id}", summary="The batch record", roles=EVERYONE, response=BatchOut
)
async def get_batch(call: Call[None]) -> BatchOut:
    batch_id = call.param("batch_id")
    record = await _record(call, batch_id)
    record.event_seq = await journal.head(call.session, batch_id)
    return record


@api.route(
    "POST",
    "/batches/{batch_id}/start",
    summary="Start a batch",
    roles=SHOP_FLOOR,
    response=BatchOut,
    idempotent=True,
)
async def start_batch(call: Call[None]) -> BatchOut:
    batch = await batches.start_batch(call.session, call.user, call.param("batch_id"))
    return await _record(call, batch.id)


@dataclass(frozen=True)
class PreparedCompletion:
    """What completing a step needs that may take a while: its e-signatures' password checks
    and, for a dispense step, the balance's reading."""

    signatures: VerifiedSignatures
    readings: BalanceReadings


async def _prepare_completion(prep: Preparation[CompleteStepIn]) -> PreparedCompletion:
    signatures = await verify_signatures(prep)
    readings = await read_ahead(
        prep.database.sessions(readonly=True),
        prep.settings.allowed_balance_networks,
        prep.param("batch_id"),
        prep.param("step_id"),
        prep.body.values,
    )
    return PreparedCompletion(signatures, readings)


@api.route(
    "POST",
    "/batches/{batch_id}/steps/{step_id}/complete",
    summary="Complete the active step with its values",
    roles=PERFORMERS,
    body=CompleteStepIn,
    response=CompletionOut,
    idempotent=True,
    prepare=_prepare_completion,
)
async def complete_step(call: Call[CompleteStepIn]) -> CompletionOut:
    signature, override = call.body.signature, call.body.override
    prepared = call.prepared_as(PreparedCompletion)
    signed = prepared.signatures.request
    completion = await batches.complete_step(
        call.session,
        call.settings,
        call.user,
        call.param("batch_id"),
        call.param("step_id"),
        values=call.body.values,
        comment=call.body.comment,
        signature=signed(signature),
        override=Override(override.reason, signed(override.signature)) if override else None,
        readings=prepared.readings,
    )
    return CompletionOut.of(completion)


@api.route(
    "POST",
    "/batches/{batch_id}/steps/{step_id}/correct",
    summary="Correct recorded values with a reason (e-signed when the data was signed)",
    roles=SHOP_FLOOR,
    body=CorrectStepIn,
    response=CorrectionOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def correct_step(call: Call[CorrectStepIn]) -> CorrectionOut:
    correction = await batches.correct_step(
        call.session,
        call.settings,
        call.user,
        call.param("batch_id"),
        call.param("step_id"),
        values=call.body.values,
        reason=call.body.reason,
        comment=call.body.comment,
        signature=call.prepared_as(VerifiedSignatures).request(call.body.signature),
    )
    return CorrectionOut.of(correction)
