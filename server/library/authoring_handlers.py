"""Authoring endpoints: drafts edited as JSON, review and approval, diffs, YAML export.

Declared before the library's other routes so `/versions/{version}.yaml` is not read as a
version called `3.yaml`.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User
from server.auth.roles import EVERYONE, PROCEDURE_APPROVERS, PROCEDURE_AUTHORS
from server.clock import utcnow
from server.errors import Invalid, Problem
from server.library import drafts
from server.library import service as library
from server.library.exceptions import ProcedureDefinitionInvalid
from server.library.models import ProcedureVersion
from server.library.schemas import (
    DefinitionIn,
    DefinitionProblemOut,
    DiffOut,
    NewDraftIn,
    RejectIn,
    ValidationOut,
    VersionOut,
)
from server.web.api import Api, Call
from server.web.paths import MAX_VERSION, int_param

api = Api("procedures")


async def version_out(
    session: AsyncSession, version: ProcedureVersion, rejection: drafts.Rejection | None = None
) -> VersionOut:
    """A version in full, with its approval, its authors' usernames and why its last
    review sent it back (while it is a draft again; `rejection` when it is being rejected
    now, its audit entry being written only at commit)."""
    rows = await session.execute(select(User.id, User.username).where(User.id.in_(version.authors)))
    names = {user_id: username for user_id, username in rows.all()}
    authors = [names[author] for author in version.authors if author in names]
    return VersionOut.of(
        version,
        await library.approval_of(session, version),
        authors,
        rejection or await drafts.rejection_of(session, version),
    )


def tagged(out: VersionOut, version: ProcedureVersion, status: int = 200) -> web.Response:
    """A version as JSON with its revision as ETag, the precondition of the next edit."""
    return web.Response(
        status=status,
        text=out.model_dump_json(),
        content_type="application/json",
        headers={"ETag": drafts.revision_tag(version)},
    )


@api.route(
    "POST",
    "/procedures/validate",
    summary="Check a definition without saving it: every problem at its JSON pointer",
    roles=PROCEDURE_AUTHORS,
    body=DefinitionIn,
    response=ValidationOut,
)
async def validate_definition(call: Call[DefinitionIn]) -> ValidationOut:
    try:
        drafts.validated(call.body.root)
    except ProcedureDefinitionInvalid as exc:
        return ValidationOut(
            valid=False,
            errors=[
                DefinitionProblemOut(field=p.field, pointer=p.field, message=p.message)
                for p in exc.problems
            ],
        )
    return ValidationOut(valid=True, errors=[])


@api.route(
    "GET",
    "/procedures/{key}/versions/{version}.yaml",
    summary="A procedure version as a YAML file (the author's text, changed only where edited)",
    roles=EVERYONE,
    produces=("application/yaml",),
)
async def export_yaml(call: Call[None]) -> web.Response:
    found = await library.get_version(call.session, call.param("key"), int_param(call, "version"))
    return web.Response(
        text=found.source,
        content_type="application/yaml",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{found.procedure.key}-v{found.version}.yaml"'
            ),
            "ETag": drafts.revision_tag(found),
        },
    )


@api.route(
    "POST",
    "/procedures/{key}/versions",
    summary="Open a new draft version: a copy of from_version, or a starter procedure",
    roles=PROCEDURE_AUTHORS,
    body=NewDraftIn,
    response=VersionOut,
    status=201,
    optional_body=True,
    idempotent=True,
)
async def create_draft(call: Call[NewDraftIn]) -> web.Response:
    draft = await drafts.create_draft(
        call.session,
        call.user,
        call.param("key"),
        from_version=call.body.from_version,
        title=call.body.title,
    )
    return tagged(await version_out(call.session, draft), draft, status=201)


@api.route(
    "PUT",
    "/procedures/{key}/versions/{version}",
    summary="Replace a draft's definition (If-Match: its revision; 412 when stale)",
    roles=PROCEDURE_AUTHORS,
    body=DefinitionIn,
    response=VersionOut,
)
async def edit_draft(call: Call[DefinitionIn]) -> web.Response:
    draft = await drafts.edit_draft(
        call.session,
        call.user,
        call.param("key"),
        int_param(call, "version"),
        call.request.headers.get("If-Match"),
        call.body.root,
    )
    return tagged(await version_out(call.session, draft), draft)


@api.route(
    "GET",
    "/procedures/{key}/versions/{version}/diff",
    summary="What changed from version ?against=M (default: the one before) to this version",
    roles=EVERYONE,
    response=DiffOut,
)
async def version_diff(call: Call[None]) -> DiffOut:
    key, number = call.param("key"), int_param(call, "version")
    against = _against(call, number)
    diff = await drafts.diff_versions(call.session, key, number, against)
    return DiffOut(key=key, version=number, against=against, **diff.as_json())


def _against(call: Call[None], number: int) -> int:
    raw = call.request.query.get("against")
    if raw is None:
        if number <= 1:
            raise Invalid(
                "Version 1 has no version before it: say which with ?against=.",
                problems=[Problem("against", "a version number is needed")],
            )
        return number - 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_VERSION:
        raise Invalid(
            f"against must be a version number, got {raw[:40]!r}.",
            problems=[Problem("against", "whole number expected")],
        )
    return int(raw)


@api.route(
    "POST",
    "/procedures/{key}/versions/{version}/submit",
    summary="Send a draft for review (draft → in_review)",
    roles=PROCEDURE_AUTHORS,
    response=VersionOut,
    idempotent=True,
)
async def submit_version(call: Call[None]) -> web.Response:
    found = await drafts.submit(
        call.session, call.user, call.param("key"), int_param(call, "version")
    )
    return tagged(await version_out(call.session, found), found)


@api.route(
    "POST",
    "/procedures/{key}/versions/{version}/reject",
    summary="Send a version in review back to draft, with the reason",
    roles=PROCEDURE_APPROVERS,
    body=RejectIn,
    response=VersionOut,
    idempotent=True,
)
async def reject_version(call: Call[RejectIn]) -> web.Response:
    found = await drafts.reject(
        call.session, call.user, call.param("key"), int_param(call, "version"), call.body.reason
    )
    rejection = drafts.Rejection(reason=call.body.reason, by=call.user, at=utcnow())
    return tagged(await version_out(call.session, found, rejection), found)


@api.route(
    "POST",
    "/procedures/{key}/versions/{version}/retire",
    summary="Retire an approved version: no new batches of it (running ones keep it)",
    roles=PROCEDURE_APPROVERS,
    response=VersionOut,
    idempotent=True,
)
async def retire_version(call: Call[None]) -> web.Response:
    found = await drafts.retire(
        call.session, call.user, call.param("key"), int_param(call, "version")
    )
    return tagged(await version_out(call.session, found), found)
