"""The batch record as JSON and PDF, and the JSON Schema of the record."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from server.auth.roles import EVERYONE
from server.batch_record.export import RecordExport, export_record, pdf_of
from server.batch_record.schema import BatchRecordDocument, record_json_schema
from server.web.api import Api, Call, Preparation
from server.web.keys import MEDIA_FILES

api = Api("batch record")


@api.route(
    "GET",
    "/batches/{batch_id}/record.json",
    summary="The electronic batch record as JSON (canonical; its SHA-256 is in the PDF footers)",
    roles=EVERYONE,
    response=BatchRecordDocument,
)
async def record_json(call: Call[None]) -> web.Response:
    export = await export_record(call.session, call.param("batch_id"))
    return web.Response(
        text=export.text,
        content_type="application/json",
        headers={
            "ETag": f'"{export.sha256}"',
            "Content-Disposition": f'inline; filename="{export.filename}.json"',
        },
    )


@dataclass(frozen=True)
class RenderedRecord:
    export: RecordExport
    pdf: bytes


async def _rendered(prep: Preparation[None]) -> RenderedRecord:
    """Read the record in a short read-only transaction, then render it with none open."""
    async with prep.database.sessions(readonly=True)() as session, session.begin():
        export = await export_record(session, prep.param("batch_id"))
    return RenderedRecord(export, await pdf_of(export, prep.request.app[MEDIA_FILES]))


@api.route(
    "GET",
    "/batches/{batch_id}/record.pdf",
    summary="The electronic batch record as PDF",
    roles=EVERYONE,
    produces=("application/pdf",),
    prepare=_rendered,
)
async def record_pdf(call: Call[None]) -> web.Response:
    rendered = call.prepared_as(RenderedRecord)
    export = rendered.export
    return web.Response(
        body=rendered.pdf,
        content_type="application/pdf",
        headers={
            "ETag": f'"{export.sha256}"',
            "Content-Disposition": f'attachment; filename="{export.filename}.pdf"',
        },
    )


@api.route(
    "GET",
    "/schemas/batch-record.json",
    summary="The JSON Schema of the electronic batch record",
    roles=EVERYONE,
    produces=("application/schema+json",),
)
async def record_schema(call: Call[None]) -> web.Response:
    return web.json_response(record_json_schema(), content_type="application/schema+json")
