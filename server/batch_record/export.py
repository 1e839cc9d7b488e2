"""Exporting the record: its canonical JSON with SHA-256, and the PDF with thumbnails.

The SHA-256 is over the canonical JSON (server.canonical) of the record, the very bytes the
JSON export serves, and it is printed in every PDF footer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.batch_record.content import build_record
from server.batch_record.pdf import render_pdf
from server.batch_record.schema import BatchRecordDocument
from server.batch_record.thumbnails import thumbnails
from server.canonical import canonical_json, sha256_hex
from server.concurrency import run_blocking
from server.media_store.files import MediaFiles


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
    """The record of a batch as of now, ready to serve or render (serialised and hashed off
    the event loop: a record of hundreds of steps is megabytes of JSON)."""
    return await run_blocking(RecordExport.of, await build_record(session, batch_id))


async def pdf_of(export: RecordExport, files: MediaFiles) -> bytes:
    """The record as PDF, with the thumbnails of its pictures; rendered off the event loop."""
    pictures = await thumbnails(files, export.record.attachments)
    return await run_blocking(render_pdf, export.record, export.sha256, pictures)
