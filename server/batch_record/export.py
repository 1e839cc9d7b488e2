"""Exporting the record: its canonical JSON with SHA-256, and the PDF with thumbnails.

The SHA-256 is over the canonical JSON (server.canonical) of the record, the very bytes the
JSON export serves, and it is printed in every PDF footer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy.ext.asyncio import AsyncSession

from server.batch_record.content import build_record
from server.batch_record.pdf import render_pdf
from server.batch_record.schema import AttachmentEntry, BatchRecordDocument
from server.canonical import canonical_json, sha256_hex
from server.media_store.files import MediaFiles

THUMBNAIL_PIXELS = 240
PICTURE_TYPES = frozenset({"image/png", "image/jpeg"})


@dataclass(frozen=True)
class RecordExport:
    """A record with the canonical JSON text it is exported as, and that text's SHA-256."""

    record: BatchRecordDocument
    text: str
    sha256: str

    @classmethod
    def of(cls, record: BatchRecordDocument) -> RecordExport:
        text = canonical_json(record.document())
        return cls(record, text, sha256_hex(text))

    @property
    def filename(self) -> str:
        """A file name for the batch's record, without extension."""
        number = self.record.header.batch_number
        safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in number)
        return f"batch-record-{safe}"


async def export_record(session: AsyncSession, batch_id: str) -> RecordExport:
    """The record of a batch as of now, ready to serve or render."""
    return RecordExport.of(await build_record(session, batch_id))


def thumbnail(data: bytes) -> bytes | None:
    """A small JPEG of a picture (None if the bytes are no readable image)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            small = image.convert("RGB")
            small.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def thumbnails(files: MediaFiles, attachments: Sequence[AttachmentEntry]) -> dict[str, bytes]:
    """Thumbnails of the photos and snapshots, by attachment id (blocking: disk and decoding).
    A picture missing from the media store is listed in the PDF without its image."""
    made: dict[str, bytes] = {}
    by_media: dict[str, bytes | None] = {}
    for attachment in attachments:
        if attachment.media_type not in PICTURE_TYPES:
            continue
        if attachment.sha256 not in by_media:
            try:
                by_media[attachment.sha256] = thumbnail(files.read(attachment.sha256))
            except FileNotFoundError:
                by_media[attachment.sha256] = None
        small = by_media[attachment.sha256]
        if small is not None:
            made[attachment.id] = small
    return made


def pdf_of(export: RecordExport, files: MediaFiles) -> bytes:
    """The record as PDF (blocking: run it off the event loop)."""
    return render_pdf(export.record, export.sha256, thumbnails(files, export.record.attachments))
