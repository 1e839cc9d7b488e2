"""`POST /scans`: an uploaded photo or frame (multipart field `image`), or `{"text"}`."""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from server.auth.roles import EVERYONE
from server.scans import service as scans
from server.scans.exceptions import ImageRejected
from server.scans.schemas import ScanOut, ScanTextIn
from server.web.api import Api, Call
from server.web.body import BodyTooLarge, parse_json, read_body
from server.web.keys import SETTINGS

api = Api("scans")


@api.route(
    "POST",
    "/scans",
    summary="Decode the codes in a photo, or a code as text, and say what each identifies",
    roles=EVERYONE,
    response=ScanOut,
    upload=ScanTextIn,
)
async def scan(call: Call[None]) -> ScanOut:
    request = call.request
    if request.content_type == "multipart/form-data":
        return await scans.scan_image(call.session, await _image(request))
    limit = request.app[SETTINGS].max_body_bytes
    raw = await read_body(request, limit)
    body = parse_json(raw, request.content_type, ScanTextIn)
    return await scans.scan_text(call.session, body.text)


async def _image(request: web.Request) -> bytes:
    """The bytes of the multipart field `image`, within the upload limit."""
    limit = request.app[SETTINGS].max_upload_bytes
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if isinstance(part, BodyPartReader) and part.name == "image":
            data = bytearray()
            while chunk := await part.read_chunk():
                data += chunk
                if len(data) > limit:
                    raise BodyTooLarge(limit)
            return bytes(data)
    raise ImageRejected("send the photo as the multipart field 'image'")
