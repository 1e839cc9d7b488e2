"""Loading procedure files as drafts, approving them, and finding the effective version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from procedures.diff import diff_procedures
from procedures.exceptions import ProcedureFileInvalid
from procedures.loader import content_hash, load_procedure_text
from procedures.model import Procedure as ProcedureDefinition
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.auth.roles import PROCEDURE_APPROVERS
from server.clock import utcnow
from server.config import Settings
from server.db.paging import Keyset, Page, PageRequest, fetch_page
from server.library.exceptions import (
    NoEffectiveVersion,
    OpenVersionExists,
    ProcedureNotFound,
    ProcedureSourceInvalid,
    SelfApproval,
    VersionNotFound,
    WrongVersionStatus,
)
from server.library.models import Procedure, ProcedureVersion
from server.signatures import service as signatures
from server.signatures.models import Signature


def parse_source(source: str, source_name: str) -> ProcedureDefinition:
    """Validate a procedure file's text; errors name the file, path and line."""
    try:
        return load_procedure_text(source, source_name)
    except ProcedureFileInvalid as exc:
        raise ProcedureSourceInvalid(exc) from exc


# Distinct procedure contents a server process keeps parsed; a line runs a handful.
PARSED_DEFINITIONS = 64


@dataclass(frozen=True)
class _StoredDefinition:
    """A stored definition document, equal to another exactly when their content hashes are;
    `read` gives the document, called only when that content was not parsed yet."""

    content_hash: str
    read: Callable[[], dict[str, Any]] = field(compare=False)


@lru_cache(maxsize=PARSED_DEFINITIONS)
def _parsed(stored: _StoredDefinition) -> ProcedureDefinition:
    return ProcedureDefinition.model_validate(stored.read())


def parsed_definition(digest: str, read: Callable[[], dict[str, Any]]) -> ProcedureDefinition:
    """The validated model of the stored document whose content hash is `digest`; `read`
    gives the document and is called only when that content was not parsed yet."""
    return _parsed(_StoredDefinition(digest, read))


def definition_of(version: ProcedureVersion) -> ProcedureDefinition:
    """The validated procedure model of a stored version, parsed once per content hash.

    Every step request needs it and validating it takes about a millisecond. The content
    hash is the SHA-256 of exactly this document (an edited draft gets a new one) and the
    model is frozen, so one parsed model serves every request for that content.
    """
    return parsed_definition(version.content_hash, lambda: version.definition)


async def definition_for(session: AsyncSession, version: ProcedureVersion) -> ProcedureDefinition:
    """`definition_of` a version loaded without its document (deferred out of a hot query,
    where decoding it would cost more than the rest of the row): the document is read from
    the database only when its content hash has not been parsed yet."""
    return await session.run_sync(lambda _: definition_of(version))


async def new_procedure(
    session: AsyncSession, actor: audit.Actor, definition: ProcedureDefinition
) -> Procedure:
    """A procedure for a key not seen before, audited; its versions come next."""
    procedure = Procedure(
        key=definition.key, title=definition.title, created_at=utcnow(), versions=[]
    )
    session.add(procedure)
    await session.flush()
    await audit.record(
        session,
        actor,
        "procedure.created",
        "procedure",
        procedure.id,
        new={"key": definition.key, "title": definition.title},
    )
    return procedure


async def load_draft(
    session: AsyncSession, author: User | None, source: str, source_name: str
) -> ProcedureVersion:
    """Store a procedure file as a draft version.

    Identical content changes nothing; a new file edits the open draft, or opens a new
    draft after an approved version (which is never modified).
    """
    definition = parse_source(source, source_name)
    digest = content_hash(definition)
    actor = auth.actor_of(author) if author else audit.SYSTEM
    now = utcnow()
    procedure = await session.scalar(
        select(Procedure)
        .where(Procedure.key == definition.key)
        .options(selectinload(Procedure.versions))
    )
    if procedure is None:
        procedure = await new_procedure(session, actor, definition)
    latest = procedure.versions[-1] if procedure.versions else None
    if latest is not None and latest.content_hash == digest:
        return latest
    if latest is not None and latest.status == "in_review":
        raise OpenVersionExists(definition.key, latest.version, latest.status)
    document = definition.model_dump(mode="json")
    if latest is not None and latest.status == "draft":
        old = {"content_hash": latest.content_hash, "source_name": latest.source_name}
        latest.definition, latest.source, latest.source_name = document, source, source_name
        latest.content_hash = digest
        latest.edited_by, latest.edited_at = author.id if author else None, now
        latest.revision += 1
        if author is not None and author.id not in latest.authors:
            latest.authors = [*latest.authors, author.id]
        procedure.title = definition.title
        await audit.record(
            session,
            actor,
            "procedure_version.edited",
            "procedure_version",
            latest.id,
            old=old,
            new={"content_hash": digest, "source_name": source_name},
        )
        return latest
    return await new_draft_version(
        session,
        actor,
        author,
        procedure,
        definition,
        source,
        source_name,
        number=(latest.version + 1) if latest else 1,
    )


async def new_draft_version(
    session: AsyncSession,
    actor: audit.Actor,
    author: User | None,
    procedure: Procedure,
    definition: ProcedureDefinition,
    source: str,
    source_name: str,
    *,
    number: int,
    from_version: int | None = None,
) -> ProcedureVersion:
    """Add version `number` of `procedure` as a draft of `definition`, audited."""
    now = utcnow()
    version = ProcedureVersion(
        procedure=procedure,
        version=number,
        status="draft",
        content_hash=content_hash(definition),
        definition=definition.model_dump(mode="json"),
        source=source,
        source_name=source_name,
        created_by=author.id if author else None,
        created_at=now,
        edited_by=author.id if author else None,
        edited_at=now,
        revision=1,
        authors=[author.id] if author else [],
    )
    session.add(version)
    procedure.title = definition.title
    await session.flush()
    created = {"key": definition.key, "version": number, "content_hash": version.content_hash}
    if from_version is not None:
        created["from_version"] = from_version
    await audit.record(
        session,
        actor,
        "procedure_version.created",
        "procedure_version",
        version.id,
        new={**created, "status": "draft", "revision": 1, "source_name": source_name},
    )
    return version


async def approval_of(session: AsyncSession, version: ProcedureVersion) -> Signature | None:
    """The e-signature that approved a version (None while it is a draft)."""
    return await session.scalar(
        select(Signature)
        .where(Signature.procedure_version_id == version.id, Signature.meaning == "approved")
        .order_by(Signature.signed_at.desc())
        .limit(1)
    )


async def get_version(session: AsyncSession, key: str, version: int) -> ProcedureVersion:
    """One version of a procedure."""
    found = await session.scalar(
        select(ProcedureVersion)
        .join(Procedure)
        .where(Procedure.key == key, ProcedureVersion.version == version)
        .options(selectinload(ProcedureVersion.procedure))
        .execution_options(populate_existing=True)
    )
    if found is None:
        if await session.scalar(select(Procedure.id).where(Procedure.key == key)) is None:
            raise ProcedureNotFound(key)
        raise VersionNotFound(key, version)
    return found


async def effective_version(
    session: AsyncSession, key: str, version: int | None = None
) -> ProcedureVersion:
    """The approved version a new batch is created from (the newest, or the one asked for)."""
    if version is not None:
        found = await get_version(session, key, version)
        if found.status != "approved":
            raise NoEffectiveVersion(key, version)
        return found
    found = await session.scalar(
        select(ProcedureVersion)
        .join(Procedure)
        .where(Procedure.key == key, ProcedureVersion.status == "approved")
        .order_by(ProcedureVersion.version.desc())
        .limit(1)
        .options(selectinload(ProcedureVersion.procedure))
    )
    if found is None:
        if await session.scalar(select(Procedure.id).where(Procedure.key == key)) is None:
            raise ProcedureNotFound(key)
        raise NoEffectiveVersion(key)
    return found


async def approve(
    session: AsyncSession,
    settings: Settings,
    current_user: User,
    key: str,
    version: int,
    signature: signatures.SignatureRequest | None,
) -> ProcedureVersion:
    """Approve a version in review with an e-signature of someone who is none of its
    authors; the previously effective version is retired. The audit entry keeps the content
    hash batches will pin and the diff against the previously approved version."""
    draft = await get_version(session, key, version)
    if draft.status != "in_review":
        raise WrongVersionStatus(key, version, draft.status, "approved", "a version in review")
    authors = {*draft.authors, draft.created_by, draft.edited_by}

    def not_its_author(signer: User) -> None:
        if signer.id in authors:
            raise SelfApproval()

    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning="approved",
        current_user=current_user,
        authority=signatures.Authority(
            f"approving {key} version {version}", PROCEDURE_APPROVERS, not_its_author
        ),
        subject=signatures.Subject("procedure_version", draft.id),
    )
    now = utcnow()
    actor = auth.actor_of(current_user)
    previous = list(
        await session.scalars(
            select(ProcedureVersion)
            .where(
                ProcedureVersion.procedure_id == draft.procedure_id,
                ProcedureVersion.status == "approved",
            )
            .order_by(ProcedureVersion.version)
        )
    )
    diff = (
        diff_procedures(definition_of(previous[-1]), definition_of(draft)).as_json()
        if previous
        else None
    )
    for retired in previous:
        retired.status = "retired"
        await audit.record(
            session,
            actor,
            "procedure_version.retired",
            "procedure_version",
            retired.id,
            old={"status": "approved"},
            new={"status": "retired"},
            reason=f"superseded by version {version}",
        )
    draft.status, draft.approved_by, draft.approved_at = "approved", signer.id, now
    await signatures.apply(
        session,
        signer,
        "approved",
        {"procedure": key, "version": version, "content_hash": draft.content_hash},
        procedure_version_id=draft.id,
        signed_in=current_user,
    )
    await audit.record(
        session,
        actor,
        "procedure_version.approved",
        "procedure_version",
        draft.id,
        old={"status": "in_review"},
        new={
            "status": "approved",
            "content_hash": draft.content_hash,
            "signed_by": signatures.signed_by(signer),
            "against_version": previous[-1].version if previous else None,
            "diff": diff,
        },
    )
    return draft


PROCEDURES = Keyset("procedures", (Procedure.key, Procedure.id))


async def list_procedures(session: AsyncSession, page: PageRequest) -> Page[Procedure]:
    """A page of procedures by key, each with its versions (their documents not read)."""
    versions = selectinload(Procedure.versions).defer(ProcedureVersion.definition)
    query = select(Procedure).options(versions.defer(ProcedureVersion.source))
    return await fetch_page(session, query, PROCEDURES, page)


async def count_versions(session: AsyncSession) -> int:
    """How many procedure versions are stored."""
    return int(await session.scalar(select(func.count()).select_from(ProcedureVersion)) or 0)
