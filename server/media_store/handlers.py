"""Uploading photos, fetching stored media, attaching media to a batch step."""

from __future__ import annotations

from aiohttp import web

from server.auth.roles import EVERYONE
from server.auth.service import actor_of
from server.db.paging import Page
from server.media_store import service as media
from server.media_store.context import IMAGE_WORKERS
from server.media_store.exceptions import MediaNotFound
from server.media_store.schemas import AttachIn, AttachmentOut, MediaOut
from server.web import listing as lists
from server.web.api import Api, Call, Preparation
from server.web.keys import MEDIA_FILES

api = Api("media")


async def _stored_photo(preparation: Preparation[None]) -> media.StoredFile:
    """Check and write the photo before the transaction: decoding is slow and memory-bound."""
    request = preparation.request
    return await media.store_photo(
        request.app[IMAGE_WORKERS],
        request.app[MEDIA_FILES],
        preparation.raw,
        request.content_type,
        preparation.settings.max_image_pixels,
    )


@api.route(
    "POST",
    "/media",
    summary="Store a photo (PNG or JPEG bytes as the body); answers its content address",
    roles=EVERYONE,
    response=MediaOut,
    status=201,
    consumes=("image/png", "image/jpeg"),
    prepare=_stored_photo,
)
async def upload(call: Call[None]) -> MediaOut:
    stored = call.prepared_as(media.StoredFile)
    return MediaOut.of(await media.record_media(call.session, actor_of(call.user), stored))


@api.route(
    "GET",
    "/media/{media_id}",
    summary="A stored photo, snapshot or recording",
    roles=EVERYONE,
    produces=("image/png", "image/jpeg", "video/webm", "video/mp4", "application/pdf"),
)
async def download(call: Call[None]) -> web.StreamResponse:
    found = await media.get_media(call.session, call.param("media_id"))
    path = call.request.app[MEDIA_FILES].path(found.id)
    if not path.exists():
        raise MediaNotFound(found.id)
    return web.FileResponse(
        path,
        headers={
            "Content-Type": found.content_type,
            "Cache-Control": "private, max-age=31536000, immutable",
            "ETag": f'"{found.id}"',
        },
    )


@api.route(
    "POST",
    "/batches/{batch_id}/attachments",
    summary="Attach a stored photo to a step of an open batch (by default the active step)",
    roles=EVERYONE,
    body=AttachIn,
    response=AttachmentOut,
    status=201,
    idempotent=True,
)
async def add_attachment(call: Call[AttachIn]) -> AttachmentOut:
    entry = await media.attach_photo(
        call.session,
        actor_of(call.user),
        batch_id=call.param("batch_id"),
        media_id=call.body.media_id,
        step_id=call.body.step_id,
        caption=call.body.caption,
    )
    return AttachmentOut.of(entry)


@api.route(
    "GET",
    "/batches/{batch_id}/attachments",
    summary="Every photo, snapshot and recording attached to a batch",
    roles=EVERYONE,
    response=list[AttachmentOut],
    paged=True,
)
async def list_attachments(call: Call[None]) -> Page[AttachmentOut]:
    page = lists.page_request(call.request, media.ATTACHMENTS)
    entries = await media.attachments_of(call.session, call.param("batch_id"), page)
    return entries.map(AttachmentOut.of)
