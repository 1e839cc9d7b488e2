"""Procedure library endpoints."""

from __future__ import annotations

from aiohttp import web

from server.auth.roles import EVERYONE, PROCEDURE_APPROVERS, PROCEDURE_AUTHORS
from server.db.paging import Page
from server.library import service as library
from server.library.authoring_handlers import tagged, version_out
from server.library.schemas import ApproveIn, LoadProcedureIn, ProcedureOut, VersionOut
from server.web import listing as lists
from server.web.api import Api, Call
from server.web.paths import int_param
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("procedures")


@api.route(
    "GET",
    "/procedures",
    summary="List procedures with their versions",
    roles=EVERYONE,
    response=list[ProcedureOut],
    paged=True,
)
async def list_procedures(call: Call[None]) -> Page[ProcedureOut]:
    page = lists.page_request(call.request, library.PROCEDURES)
    return (await library.list_procedures(call.session, page)).map(ProcedureOut.of)


@api.route(
    "POST",
    "/procedures",
    summary="Load a procedure file as a draft version",
    roles=PROCEDURE_AUTHORS,
    body=LoadProcedureIn,
    response=VersionOut,
    status=201,
    idempotent=True,
)
async def load_procedure(call: Call[LoadProcedureIn]) -> VersionOut:
    loaded = await library.load_draft(call.session, call.user, call.body.source, call.body.filename)
    key = library.definition_of(loaded).key
    return VersionOut.of(await library.get_version(call.session, key, loaded.version))


@api.route(
    "GET",
    "/procedures/{key}/versions/{version}",
    summary="A procedure version in full",
    roles=EVERYONE,
    response=VersionOut,
)
async def get_version(call: Call[None]) -> web.Response:
    found = await library.get_version(call.session, call.param("key"), int_param(call, "version"))
    return tagged(await version_out(call.session, found), found)


@api.route(
    "POST",
    "/procedures/{key}/versions/{version}/approve",
    summary="Approve a version in review with an e-signature (not by one of its authors)",
    roles=PROCEDURE_APPROVERS,
    body=ApproveIn,
    response=VersionOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def approve_version(call: Call[ApproveIn]) -> VersionOut:
    approved = await library.approve(
        call.session,
        call.settings,
        call.user,
        call.param("key"),
        int_param(call, "version"),
        call.prepared_as(VerifiedSignatures).request(call.body.signature),
    )
    return await version_out(call.session, approved)
