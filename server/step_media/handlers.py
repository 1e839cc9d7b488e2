"""Step media endpoints: attach a file to a step of a draft, list a step's files, detach one."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from server.auth.roles import EVERYONE, PROCEDURE_AUTHORS
from server.errors import Invalid, Problem
from server.library.drafts import revision_tag
from server.media_store.context import IMAGE_WORKERS
from server.media_store.service import StoredFile
from server.step_media import service as step_media
from server.step_media.files import KIND_OF, store_step_file
from server.step_media.schemas import StepMediaChangeOut, StepMediaOut
from server.web.api import Api, Call, Preparation
from server.web.keys import MEDIA_FILES
from server.web.paths import int_param

api = Api("procedures")

STEP_MEDIA = "/procedures/{key}/versions/{version}/steps/{step_id}/media"
MAX_CAPTION = 300


@dataclass(frozen=True)
class _Upload:
    stored: StoredFile
    caption: str


def _caption(request: web.Request) -> str:
    caption = request.query.get("caption", "").strip()
    if any(ord(char) < 32 or 0xD800 <= ord(char) < 0xE000 for char in caption):
        raise Invalid(
            "The caption may not hold control characters.",
            problems=[Problem("caption", "printable text expected", code="control_character")],
        )
    if len(caption) > MAX_CAPTION:
        raise Invalid(
            f"The caption is longer than {MAX_CAPTION} characters.",
            problems=[Problem("caption", f"at most {MAX_CAPTION} characters", code="too_long")],
        )
    return caption


async def _stored_file(preparation: Preparation[None]) -> _Upload:
    """Check and write the file before the transaction: an image is decoded whole."""
    request = preparation.request
    caption = _caption(request)
    stored = await store_step_file(
        request.app[IMAGE_WORKERS],
        request.app[MEDIA_FILES],
        preparation.raw,
        request.content_type,
        preparation.settings.max_image_pixels,
    )
    return _Upload(stored, caption)


def _answer(change: step_media.StepMediaChange, status: int) -> web.Response:
    return web.Response(
        status=status,
        text=StepMediaChangeOut.of(change).model_dump_json(),
        content_type="application/json",
        headers={"ETag": revision_tag(change.version)},
    )


@api.route(
    "POST",
    STEP_MEDIA,
    summary="Attach a file (PNG, JPEG, MP4, WebM or PDF bytes as the body, ?caption=) to a "
    "step of a draft; If-Match optional",
    roles=PROCEDURE_AUTHORS,
    response=StepMediaChangeOut,
    status=201,
    consumes=tuple(KIND_OF),
    prepare=_stored_file,
)
async def attach_media(call: Call[None]) -> web.Response:
    upload = call.prepared_as(_Upload)
    change = await step_media.attach(
        call.session,
        call.user,
        call.param("key"),
        int_param(call, "version"),
        call.param("step_id"),
        upload.stored,
        upload.caption,
        call.request.headers.get("If-Match"),
    )
    return _answer(change, 201)


@api.route(
    "GET",
    STEP_MEDIA,
    summary="The files shown to the operator at a step of a version",
    roles=EVERYONE,
    response=list[StepMediaOut],
)
async def list_media(call: Call[None]) -> list[StepMediaOut]:
    entries = await step_media.media_of(
        call.session, call.param("key"), int_param(call, "version"), call.param("step_id")
    )
    return [StepMediaOut.of(entry) for entry in entries]


@api.route(
    "DELETE",
    STEP_MEDIA + "/{media_id}",
    summary="Take a file off a step of a draft (the stored file stays); If-Match optional",
    roles=PROCEDURE_AUTHORS,
    response=StepMediaChangeOut,
)
async def detach_media(call: Call[None]) -> web.Response:
    change = await step_media.detach(
        call.session,
        call.user,
        call.param("key"),
        int_param(call, "version"),
        call.param("step_id"),
        call.param("media_id"),
        call.request.headers.get("If-Match"),
    )
    return _answer(change, 200)
