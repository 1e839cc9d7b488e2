"""`POST /scans`: an uploaded photo or frame (multipart field `image`), or `{"text"}`."""

from __future__ import annotations

from server.auth.roles import EVERYONE
from server.scans import service as scans
from server.scans.exceptions import ImageRejected
from server.scans.schemas import ScanOut, ScanTextIn
from server.web.api import Api, Call
from server.web.body import BodyTooLarge, form_file, parse_json

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
        image = form_file(call.raw, request.headers["Content-Type"], "image")
        if image is None:
            raise ImageRejected("send the photo as the multipart field 'image'")
        return await scans.scan_image(call.session, image)
    limit = call.settings.max_body_bytes
    if len(call.raw) > limit:
        raise BodyTooLarge(limit)
    body = parse_json(call.raw, request.content_type, ScanTextIn)
    return await scans.scan_text(call.session, body.text)
