"""Deviation endpoints: list and read, add facts, close and cancel (QA, e-signed), and
report an observation on a batch."""

from __future__ import annotations

from server.auth.roles import EVERYONE
from server.batches import observations
from server.db.paging import Page
from server.deviations import lifecycle
from server.deviations import service as deviations
from server.deviations.schemas import (
    CancelDeviationIn,
    CloseDeviationIn,
    DeviationOut,
    ObservationIn,
    UpdateDeviationIn,
)
from server.deviations.states import DeviationStatus
from server.web import listing as lists
from server.web.api import Api, Call
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("deviations")
# Anyone working on a batch adds facts and reports observations; QA grades and decides.
ON_THE_BATCH: frozenset[str] = frozenset({"operator", "supervisor", "qa"})
QA: frozenset[str] = frozenset({"qa"})


@api.route(
    "GET",
    "/deviations",
    summary="List deviations, newest first (filter with ?status=, ?batch_id=, ?severity=)",
    roles=EVERYONE,
    response=list[DeviationOut],
    paged=True,
    filters={
        "status": "Comma-separated states: " + ", ".join(DeviationStatus),
        "batch_id": "The batch's id",
        "severity": "minor, major or critical",
    },
)
async def list_deviations(call: Call[None]) -> Page[DeviationOut]:
    request = call.request
    found = await deviations.list_deviations(
        call.session,
        lists.page_request(request, deviations.DEVIATIONS),
        statuses=lists.choices(request, "status", DeviationStatus),
        batch_id=lists.text(request, "batch_id"),
        severity=lists.text(request, "severity"),
    )
    definitions = await deviations.definitions_of(call.session, found.items)
    return found.map(lambda d: DeviationOut.of(d, definition=definitions[d.batch_id]))


@api.route(
    "GET",
    "/deviations/{deviation_id}",
    summary="One deviation with its history",
    roles=EVERYONE,
    response=DeviationOut,
)
async def get_deviation(call: Call[None]) -> DeviationOut:
    deviation = await deviations.find(call.session, call.param("deviation_id"))
    history = list(await deviations.history(call.session, deviation))
    definitions = await deviations.definitions_of(call.session, [deviation])
    return DeviationOut.of(deviation, history, definitions[deviation.batch_id])


@api.route(
    "PATCH",
    "/deviations/{deviation_id}",
    summary="Add facts to a deviation's investigation (severity: QA only)",
    roles=ON_THE_BATCH,
    body=UpdateDeviationIn,
    response=DeviationOut,
    idempotent=True,
)
async def update_deviation(call: Call[UpdateDeviationIn]) -> DeviationOut:
    body = call.body
    facts = lifecycle.Facts(
        description=body.description,
        impact=body.impact,
        root_cause=body.root_cause,
        capa=body.capa,
        severity=body.severity,
    )
    deviation = await lifecycle.update_facts(
        call.session, call.user, call.param("deviation_id"), facts, body.reason
    )
    return DeviationOut.of(deviation)


@api.route(
    "POST",
    "/deviations/{deviation_id}/close",
    summary="Close a deviation with QA's conclusion (e-signed, meaning approved)",
    roles=QA,
    body=CloseDeviationIn,
    response=DeviationOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def close_deviation(call: Call[CloseDeviationIn]) -> DeviationOut:
    deviation = await lifecycle.close(
        call.session,
        call.settings,
        call.user,
        call.param("deviation_id"),
        conclusion=call.body.conclusion,
        signature=call.prepared_as(VerifiedSignatures).request(call.body.signature),
    )
    return DeviationOut.of(deviation)


@api.route(
    "POST",
    "/deviations/{deviation_id}/cancel",
    summary="Cancel a deviation raised in error (QA, e-signed, meaning approved)",
    roles=QA,
    body=CancelDeviationIn,
    response=DeviationOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def cancel_deviation(call: Call[CancelDeviationIn]) -> DeviationOut:
    deviation = await lifecycle.cancel(
        call.session,
        call.settings,
        call.user,
        call.param("deviation_id"),
        reason=call.body.reason,
        signature=call.prepared_as(VerifiedSignatures).request(call.body.signature),
    )
    return DeviationOut.of(deviation)


@api.route(
    "POST",
    "/batches/{batch_id}/deviations",
    summary="Report an observation on a batch (a deviation of kind observation)",
    roles=ON_THE_BATCH,
    body=ObservationIn,
    response=DeviationOut,
    status=201,
    idempotent=True,
)
async def report_observation(call: Call[ObservationIn]) -> DeviationOut:
    body = call.body
    deviation = await observations.report(
        call.session,
        call.user,
        call.param("batch_id"),
        title=body.title,
        description=body.description,
        step_id=body.step_id,
        severity=body.severity,
    )
    return DeviationOut.of(deviation)
