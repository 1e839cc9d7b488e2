"""Printable labels as PNG (default) or PDF (`?format=pdf`)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from media.exceptions import LabelInvalid
from media.labels import LabelContent, render_label_pdf, render_label_png
from server.auth.roles import EVERYONE
from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch
from server.concurrency import run_blocking
from server.equipment import service as equipment
from server.errors import Invalid, Problem
from server.labels.content import container_label, equipment_label, lot_label
from server.materials import service as materials
from server.web.api import Api, Call

api = Api("labels")
FORMATS: dict[str, tuple[Callable[[LabelContent], bytes], str]] = {
    "png": (render_label_png, "image/png"),
    "pdf": (render_label_pdf, "application/pdf"),
}


class LabelRefused(Invalid):
    """A label that cannot be produced: an unknown format, or content that does not fit."""


async def _label(call: Call[None], content: LabelContent, name: str) -> web.Response:
    format = call.request.query.get("format", "png")
    if format not in FORMATS:
        raise LabelRefused(
            f"Unknown label format {format!r}; use png or pdf.",
            problems=[Problem("format", "png or pdf")],
        )
    render, media_type = FORMATS[format]
    try:
        data = await run_blocking(render, content)
    except LabelInvalid as exc:
        raise LabelRefused(f"The label cannot be printed: {exc.reason}.") from exc
    disposition = f'inline; filename="{name}.{format}"'
    return web.Response(
        body=data, content_type=media_type, headers={"Content-Disposition": disposition}
    )


LABEL = {"roles": EVERYONE, "produces": ("image/png", "application/pdf")}


@api.route("GET", "/equipment/{ref}/label", summary="An equipment ID label", **LABEL)
async def equipment_label_file(call: Call[None]) -> web.Response:
    found = await equipment.get(call.session, call.param("ref"))
    return await _label(call, equipment_label(found), found.code)


@api.route("GET", "/lots/{ref}/label", summary="A lot label", **LABEL)
async def lot_label_file(call: Call[None]) -> web.Response:
    lot = await materials.get_lot(call.session, call.param("ref"))
    return await _label(call, lot_label(lot), lot.lot_number)


@api.route("GET", "/containers/{ref}/label", summary="A dispensed container's label", **LABEL)
async def container_label_file(call: Call[None]) -> web.Response:
    container = await materials.get_container(call.session, call.param("ref"))
    batch = await call.session.get(Batch, container.batch_id)
    if batch is None:
        raise BatchNotFound(container.batch_id)
    return await _label(call, container_label(container, batch.batch_number), container.number)
