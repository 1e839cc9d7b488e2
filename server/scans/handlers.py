"""`POST /scans`: an uploaded photo or frame (multipart field `image`), or `{"text"}`."""

from __future__ import annotations

from dataclasses import dataclass

from media.codes import DecodedCode
from server.auth.roles import EVERYONE
from server.concurrency import run_blocking
from server.media_store.context import IMAGE_WORKERS
from server.scans import service as scans
from server.scans.exceptions import ImageRejected
from server.scans.schemas import ScanOut, ScanTextIn
from server.web.api import Api, Call, Preparation
from server.web.body import BodyTooLarge, form_file, parse_json

api = Api("scans")


@dataclass(frozen=True)
class ScanInput:
    """What was scanned: the codes decoded from a photo, or a code sent as text."""

    codes: tuple[DecodedCode, ...] = ()
    text: str | None = None


async def _scan_input(preparation: Preparation[None]) -> ScanInput:
    """Decode the photo before the transaction: decoding is slow and memory-bound."""
    request, raw = preparation.request, preparation.raw
    if request.content_type == "multipart/form-data":
        image = await run_blocking(form_file, raw, request.headers["Content-Type"], "image")
        if image is None:
            raise ImageRejected("send the photo as the multipart field 'image'")
        workers, budget = request.app[IMAGE_WORKERS], preparation.settings.max_image_pixels
        return ScanInput(codes=tuple(await scans.decode_photo(workers, image, budget)))
    limit = preparation.settings.max_body_bytes
    if len(raw) > limit:
        raise BodyTooLarge(limit)
    return ScanInput(text=parse_json(raw, request.content_type, ScanTextIn).text)


@api.route(
    "POST",
    "/scans",
    summary="Decode the codes in a photo, or a code as text, and say what each identifies",
    roles=EVERYONE,
    response=ScanOut,
    upload=ScanTextIn,
    prepare=_scan_input,
)
async def scan(call: Call[None]) -> ScanOut:
    scanned = call.prepared_as(ScanInput)
    if scanned.text is not None:
        return ScanOut.of(await scans.scan_text(call.session, scanned.text))
    return ScanOut.of(await scans.scan_codes(call.session, scanned.codes))
