"""Storing media and attaching it to batch steps, audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import Actor
from server.auth.models import User
from server.batches import remarks
from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch
from server.clock import utcnow
from server.concurrency import WorkerPool, run_blocking
from server.db.paging import Keyset, Page, PageRequest, fetch_page
from server.events.schemas import AttachmentEvent
from server.events.staging import stage
from server.media_store.exceptions import MediaNotFound, MediaTypeUnsupported
from server.media_store.files import MediaFiles, is_media_id
from server.media_store.images import IMAGE_TYPES, check_header, check_pixels
from server.media_store.models import Attachment, AttachmentEntry, MediaObject


@dataclass(frozen=True)
class StoredFile:
    """Bytes written to the media files, not yet recorded in the database."""

    media_id: str
    content_type: str
    size: int


async def store_photo(
    workers: WorkerPool, files: MediaFiles, data: bytes, content_type: str, max_pixels: int
) -> StoredFile:
    """Check an uploaded photo and write it to the media files, with no transaction open: its
    header at once (type, pixel budget), then every pixel on the image workers."""
    if content_type not in IMAGE_TYPES:
        raise MediaTypeUnsupported(content_type, tuple(IMAGE_TYPES))
    await run_blocking(check_header, data, content_type, max_pixels)
    await workers.run(check_pixels, data, max_pixels)
    return StoredFile(await run_blocking(files.put, data), content_type, len(data))


async def record_media(session: AsyncSession, actor: Actor, stored: StoredFile) -> MediaObject:
    """The media object of a stored file; the first record of it is audited."""
    known = await session.get(MediaObject, stored.media_id)
    if known is not None:
        return known
    media = MediaObject(
        id=stored.media_id,
        content_type=stored.content_type,
        size=stored.size,
        created_at=utcnow(),
        created_by=actor.id,
    )
    session.add(media)
    await audit.record(
        session,
        actor,
        "media.stored",
        "media",
        stored.media_id,
        new={"content_type": stored.content_type, "size": stored.size},
    )
    return media


async def save_media(
    session: AsyncSession, files: MediaFiles, actor: Actor, data: bytes, content_type: str
) -> MediaObject:
    """Store `data` once under its content address; the first store is audited."""
    media_id = await run_blocking(files.put, data)
    return await record_media(session, actor, StoredFile(media_id, content_type, len(data)))


async def get_media(session: AsyncSession, media_id: str) -> MediaObject:
    """A stored media object, or MediaNotFound."""
    media = await session.get(MediaObject, media_id) if is_media_id(media_id) else None
    if media is None:
        raise MediaNotFound(media_id)
    return media


async def attach(
    session: AsyncSession,
    actor: Actor,
    *,
    batch_id: str,
    media_id: str,
    kind: str,
    step_id: str | None = None,
    stream_id: str | None = None,
    caption: str | None = None,
) -> AttachmentEntry:
    """Attach stored media to a batch, to the step named (one of the batch's) or else its active
    step; audited, announced. Whether the batch still takes it is the caller's rule: a photo or
    snapshot needs an open batch, a recording started on one is kept when it ends."""
    if await session.get(Batch, batch_id) is None:
        raise BatchNotFound(batch_id)
    media = await get_media(session, media_id)
    attachment = Attachment(
        batch_id=batch_id,
        step_id=await remarks.step_of(session, batch_id, step_id),
        media_id=media.id,
        kind=kind,
        stream_id=stream_id,
        caption=caption,
        created_at=utcnow(),
        created_by=actor.id,
    )
    session.add(attachment)
    await session.flush()
    entry = AttachmentEntry(attachment, media, actor.label)
    summary = entry.summary()
    await audit.record(
        session,
        actor,
        "attachment.added",
        "attachment",
        attachment.id,
        new=summary,
        batch_id=batch_id,
    )
    stage(session, AttachmentEvent(batch_id=batch_id, attachment=summary))
    return entry


async def attach_photo(
    session: AsyncSession,
    actor: Actor,
    *,
    batch_id: str,
    media_id: str,
    step_id: str | None,
    caption: str | None,
) -> AttachmentEntry:
    """Attach an uploaded photo to a batch that is still open (the batch's write rules)."""
    await remarks.open_batch(session, batch_id)
    return await attach(
        session,
        actor,
        batch_id=batch_id,
        media_id=media_id,
        kind="photo",
        step_id=step_id,
        caption=caption,
    )


ATTACHMENTS = Keyset("attachments", (Attachment.created_at, Attachment.id))


async def attachments_of(
    session: AsyncSession, batch_id: str, page: PageRequest
) -> Page[AttachmentEntry]:
    """A page of the attachments of a batch, oldest first, with who attached each."""
    if await session.get(Batch, batch_id) is None:
        raise BatchNotFound(batch_id)
    query = (
        select(Attachment, MediaObject, User)
        .join(MediaObject, MediaObject.id == Attachment.media_id)
        .outerjoin(User, User.id == Attachment.created_by)
        .where(Attachment.batch_id == batch_id)
    )
    found = await fetch_page(session, query, ATTACHMENTS, page, scalars=False)
    return found.map(lambda row: AttachmentEntry(row[0], row[1], _label(row[2])))


def _label(user: User | None) -> str:
    return Actor.user(user.id, user.username, user.full_name).label if user else "system"


async def stored_ids(session: AsyncSession, media_ids: Iterable[str]) -> set[str]:
    """Which of `media_ids` name stored media."""
    wanted = {media_id for media_id in media_ids if is_media_id(media_id)}
    if not wanted:
        return set()
    found = await session.scalars(select(MediaObject.id).where(MediaObject.id.in_(wanted)))
    return set(found)
