"""Attaching stored files to the steps of a draft, and listing them; audited.

A step's media are part of its procedure definition (`media: [{id, kind, content_type,
caption}]`), so attaching is an edit of the draft like any other (new revision, new content
hash, the semantic diff in the audit trail) and an approved version's references never change.
The files themselves are in the media store, named by their content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.model import Procedure as ProcedureDefinition
from procedures.model import StepMedia
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.library import drafts
from server.library import service as library
from server.library.exceptions import WrongVersionStatus
from server.library.models import ProcedureVersion
from server.media_store import service as media
from server.media_store.models import MediaObject
from server.media_store.service import StoredFile
from server.step_media.exceptions import StepMediaAttached, StepMediaNotAttached, StepNotInVersion
from server.step_media.files import KIND_OF


@dataclass(frozen=True)
class StepMediaEntry:
    """A file of a step as its definition names it, with its size in the media store."""

    item: StepMedia
    size: int | None


@dataclass(frozen=True)
class StepMediaChange:
    """A draft after one of its steps gained or lost a file: the step's files now."""

    version: ProcedureVersion
    step_id: str
    media: list[StepMediaEntry]


def _place(definition: ProcedureDefinition, key: str, number: int, step_id: str) -> tuple[int, int]:
    for o, operation in enumerate(definition.operations):
        for s, step in enumerate(operation.steps):
            if step.id == step_id:
                return o, s
    raise StepNotInVersion(key, number, step_id)


async def _draft(session: AsyncSession, key: str, number: int) -> ProcedureVersion:
    version = await library.get_version(session, key, number)
    if version.status != "draft":
        raise WrongVersionStatus(key, number, version.status, "changed", "a draft")
    return version


async def _entries(session: AsyncSession, items: list[StepMedia]) -> list[StepMediaEntry]:
    ids = [item.id for item in items]
    found = await session.execute(
        select(MediaObject.id, MediaObject.size).where(MediaObject.id.in_(ids))
    )
    sizes = {media_id: size for media_id, size in found.all()} if ids else {}
    return [StepMediaEntry(item, sizes.get(item.id)) for item in items]


def _summary(step_id: str, item: StepMedia, size: int | None) -> dict[str, Any]:
    return {"step_id": step_id, **item.model_dump(mode="json"), "size": size}


async def _saved(
    session: AsyncSession,
    user: User,
    draft: ProcedureVersion,
    document: dict[str, Any],
    if_match: str | None,
) -> ProcedureVersion:
    """Save the changed definition as an edit of the draft (If-Match when the client sent
    one; attaching alone needs none, as it replaces nothing the client saw)."""
    precondition = if_match or drafts.revision_tag(draft)
    key, number = draft.procedure.key, draft.version
    return await drafts.edit_draft(session, user, key, number, precondition, document)


@dataclass(frozen=True)
class _DraftStep:
    """A draft, its definition, and where step `step_id` is in it."""

    draft: ProcedureVersion
    definition: ProcedureDefinition
    operation: int
    index: int

    @property
    def media(self) -> list[StepMedia]:
        return list(self.definition.operations[self.operation].steps[self.index].media)

    def with_media(self, media: list[dict[str, Any]]) -> dict[str, Any]:
        """The definition as a document, the step's media replaced by `media`."""
        document = self.definition.model_dump(mode="json")
        document["operations"][self.operation]["steps"][self.index]["media"] = media
        return document


async def _draft_step(session: AsyncSession, key: str, number: int, step_id: str) -> _DraftStep:
    draft = await _draft(session, key, number)
    definition = library.definition_of(draft)
    return _DraftStep(draft, definition, *_place(definition, key, number, step_id))


async def attach(
    session: AsyncSession,
    user: User,
    key: str,
    number: int,
    step_id: str,
    stored: StoredFile,
    caption: str,
    if_match: str | None = None,
) -> StepMediaChange:
    """Attach a stored file to step `step_id` of a draft; audited."""
    place = await _draft_step(session, key, number, step_id)
    if any(item.id == stored.media_id for item in place.media):
        raise StepMediaAttached(step_id, stored.media_id)
    actor = auth.actor_of(user)
    await media.record_media(session, actor, stored)
    item = StepMedia(
        id=stored.media_id,
        kind=KIND_OF[stored.content_type],  # type: ignore[arg-type]
        content_type=stored.content_type,
        caption=caption,
    )
    before = [entry.model_dump(mode="json") for entry in place.media]
    document = place.with_media([*before, item.model_dump(mode="json")])
    saved = await _saved(session, user, place.draft, document, if_match)
    await audit.record(
        session,
        actor,
        "procedure_version.media_attached",
        "procedure_version",
        saved.id,
        new={**_summary(step_id, item, stored.size), "revision": saved.revision},
    )
    now = library.definition_of(saved).operations[place.operation].steps[place.index].media
    return StepMediaChange(saved, step_id, await _entries(session, list(now)))


async def detach(
    session: AsyncSession,
    user: User,
    key: str,
    number: int,
    step_id: str,
    media_id: str,
    if_match: str | None = None,
) -> StepMediaChange:
    """Take a file off step `step_id` of a draft (the file stays in the store); audited."""
    place = await _draft_step(session, key, number, step_id)
    item = next((item for item in place.media if item.id == media_id), None)
    if item is None:
        raise StepMediaNotAttached(step_id, media_id)
    kept = [entry.model_dump(mode="json") for entry in place.media if entry.id != media_id]
    saved = await _saved(session, user, place.draft, place.with_media(kept), if_match)
    [entry] = await _entries(session, [item])
    await audit.record(
        session,
        auth.actor_of(user),
        "procedure_version.media_detached",
        "procedure_version",
        saved.id,
        old=_summary(step_id, item, entry.size),
        new={"revision": saved.revision},
    )
    now = library.definition_of(saved).operations[place.operation].steps[place.index].media
    return StepMediaChange(saved, step_id, await _entries(session, list(now)))


async def media_of(
    session: AsyncSession, key: str, number: int, step_id: str
) -> list[StepMediaEntry]:
    """The files of step `step_id` of any version, in the order the author placed them."""
    version = await library.get_version(session, key, number)
    definition = library.definition_of(version)
    o, s = _place(definition, key, number, step_id)
    return await _entries(session, list(definition.operations[o].steps[s].media))
