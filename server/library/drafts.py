"""Authoring: drafts edited through the API, their review, rejection and retirement.

A version moves draft → in_review → approved → retired; a rejected review goes back to
draft. Only a draft's definition changes, one edit at a time (its `revision` is the
precondition every edit names); approved and retired versions never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from procedures.diff import ProcedureDiff, diff_procedures
from procedures.exceptions import DefinitionInvalid
from procedures.loader import content_hash, validate_definition
from procedures.model import Procedure as ProcedureDefinition
from procedures.yaml_source import edited_source, source_of
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.auth import service as auth
from server.auth.models import User
from server.clock import utcnow
from server.library import service as library
from server.library.exceptions import (
    OpenVersionExists,
    ProcedureDefinitionInvalid,
    ProcedureKeyMismatch,
    ProcedureNotFound,
    RevisionRequired,
    StaleRevision,
    WrongVersionStatus,
)
from server.library.models import Procedure, ProcedureVersion
from server.media_store import service as media_store

OPEN_STATUSES = ("draft", "in_review")


def starter_definition(key: str, title: str) -> dict[str, Any]:
    """The smallest valid procedure: one operation of one instruction step, to edit from."""
    return {
        "key": key,
        "title": title,
        "operations": [
            {
                "id": "operation_1",
                "title": "Operation 1",
                "steps": [{"id": "step_1", "title": "Step 1", "kind": "instruction"}],
            }
        ],
    }


def validated(document: object) -> ProcedureDefinition:
    """A definition document as the model, or every problem at its JSON pointer."""
    try:
        return validate_definition(document)
    except DefinitionInvalid as exc:
        raise ProcedureDefinitionInvalid(exc) from exc


def revision_tag(version: ProcedureVersion) -> str:
    """The ETag of a version's definition: its revision, quoted (RFC 9110)."""
    return f'"{version.revision}"'


async def create_draft(
    session: AsyncSession,
    author: User,
    key: str,
    *,
    from_version: int | None = None,
    title: str | None = None,
) -> ProcedureVersion:
    """A new draft version: a copy of `from_version`, or a starter procedure (a new key
    creates the procedure). Refused while the procedure has a draft or a version in review."""
    actor = auth.actor_of(author)
    procedure = await session.scalar(
        select(Procedure).where(Procedure.key == key).options(selectinload(Procedure.versions))
    )
    if procedure is None and from_version is not None:
        raise ProcedureNotFound(key)
    versions = list(procedure.versions) if procedure is not None else []
    open_version = next((v for v in versions if v.status in OPEN_STATUSES), None)
    if open_version is not None:
        raise OpenVersionExists(key, open_version.version, open_version.status)
    number = max((v.version for v in versions), default=0) + 1
    if from_version is not None:
        origin = await library.get_version(session, key, from_version)
        definition = library.definition_of(origin)
        source, source_name = origin.source, origin.source_name
    else:
        definition = validated(starter_definition(key, title or key))
        source, source_name = source_of(definition), f"{key}.yaml"
    if procedure is None:
        procedure = await library.new_procedure(session, actor, definition)
    return await library.new_draft_version(
        session,
        actor,
        author,
        procedure,
        definition,
        source,
        source_name,
        number=number,
        from_version=from_version,
    )


def _checked_revision(version: ProcedureVersion, if_match: str | None) -> None:
    if if_match is None:
        raise RevisionRequired(version.revision)
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")]
    if "*" not in tags and str(version.revision) not in tags:
        raise StaleRevision(if_match.strip(), version.revision)


async def edit_draft(
    session: AsyncSession,
    author: User,
    key: str,
    number: int,
    if_match: str | None,
    document: object,
) -> ProcedureVersion:
    """Replace a draft's definition, made against revision `if_match`; audited with the
    semantic diff of the edit. An invalid definition is refused whole (nothing is saved)."""
    draft = await library.get_version(session, key, number)
    if draft.status != "draft":
        raise WrongVersionStatus(key, number, draft.status, "edited", "a draft")
    _checked_revision(draft, if_match)
    definition = validated(document)
    await _media_stored(session, definition)
    if definition.key != key:
        raise ProcedureKeyMismatch(key, definition.key)
    before = library.definition_of(draft)
    digest = content_hash(definition)
    if digest == draft.content_hash:
        return draft
    changes = diff_procedures(before, definition)
    old = {"revision": draft.revision, "content_hash": draft.content_hash}
    draft.source = edited_source(draft.source, before, definition)
    draft.definition, draft.content_hash = definition.model_dump(mode="json"), digest
    draft.revision += 1
    draft.edited_by, draft.edited_at = author.id, utcnow()
    if author.id not in draft.authors:
        draft.authors = [*draft.authors, author.id]
    draft.procedure.title = definition.title
    await audit.record(
        session,
        auth.actor_of(author),
        "procedure_version.edited",
        "procedure_version",
        draft.id,
        old=old,
        new={
            "revision": draft.revision,
            "content_hash": digest,
            "changes": changes.summary(),
            "diff": changes.as_json(),
        },
    )
    return draft


async def _media_stored(session: AsyncSession, definition: ProcedureDefinition) -> None:
    """Every file a step names is in the media store: a 422 at its pointer otherwise."""
    named = [
        (f"/operations/{o}/steps/{s}/media/{m}/id", item.id)
        for o, operation in enumerate(definition.operations)
        for s, step in enumerate(operation.steps)
        for m, item in enumerate(step.media)
    ]
    if not named:
        return
    stored = await media_store.stored_ids(session, [media_id for _, media_id in named])
    issues = [
        (pointer, "no stored file has this id: attach the file to the step")
        for pointer, media_id in named
        if media_id not in stored
    ]
    if issues:
        raise ProcedureDefinitionInvalid(DefinitionInvalid(issues))


async def _moved_status(
    session: AsyncSession,
    user: User,
    key: str,
    number: int,
    *,
    act: str,
    needed: str,
    becomes: str,
    reason: str | None = None,
) -> ProcedureVersion:
    version = await library.get_version(session, key, number)
    if version.status != needed:
        raise WrongVersionStatus(key, number, version.status, act, f"a version {needed}")
    version.status = becomes
    await audit.record(
        session,
        auth.actor_of(user),
        f"procedure_version.{act}",
        "procedure_version",
        version.id,
        old={"status": needed},
        new={"status": becomes, "content_hash": version.content_hash},
        reason=reason,
    )
    return version


async def submit(session: AsyncSession, user: User, key: str, number: int) -> ProcedureVersion:
    """Send a draft for review: it cannot be edited until approved or rejected."""
    return await _moved_status(
        session, user, key, number, act="submitted", needed="draft", becomes="in_review"
    )


async def reject(
    session: AsyncSession, user: User, key: str, number: int, reason: str
) -> ProcedureVersion:
    """Send a version in review back to draft, saying why."""
    return await _moved_status(
        session,
        user,
        key,
        number,
        act="rejected",
        needed="in_review",
        becomes="draft",
        reason=reason,
    )


@dataclass(frozen=True)
class Rejection:
    """Why the last review sent a version back to draft, who said so and when."""

    reason: str
    by: User
    at: datetime


async def rejection_of(session: AsyncSession, version: ProcedureVersion) -> Rejection | None:
    """The latest rejection of a version while it is a draft again (None otherwise), read
    from the audit trail, where the reason is kept with the signed-off change."""
    if version.status != "draft":
        return None
    entry = await session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.action == "procedure_version.rejected",
            AuditEntry.entity_type == "procedure_version",
            AuditEntry.entity_id == version.id,
        )
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    if entry is None or entry.actor_id is None:
        return None
    by = await session.get(User, entry.actor_id)
    if by is None:
        return None
    return Rejection(reason=entry.reason or "", by=by, at=entry.at)


async def retire(session: AsyncSession, user: User, key: str, number: int) -> ProcedureVersion:
    """Stop new batches of an approved version; running batches keep their pinned version."""
    return await _moved_status(
        session, user, key, number, act="retired", needed="approved", becomes="retired"
    )


async def diff_versions(
    session: AsyncSession, key: str, number: int, against: int
) -> ProcedureDiff:
    """What changed from version `against` to version `number`."""
    new = await library.get_version(session, key, number)
    old = await library.get_version(session, key, against)
    return diff_procedures(library.definition_of(old), library.definition_of(new))
