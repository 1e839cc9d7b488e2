"""A batch's and a lot's genealogy as GS1 EPCIS 2.0 JSON-LD documents."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from server.auth.roles import EVERYONE
from server.epcis import service as epcis
from server.web.api import Api, Call

api = Api("genealogy")
MEDIA_TYPE = "application/ld+json"


def _answer(document: dict[str, Any], name: str) -> web.Response:
    return web.Response(
        text=json.dumps(document, indent=1),
        content_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{name}.epcis.json"'},
    )


@api.route(
    "GET",
    "/batches/{batch_id}/epcis.json",
    summary="The batch's genealogy, upstream, as an EPCIS 2.0 document (batch id or number)",
    roles=EVERYONE,
    produces=(MEDIA_TYPE,),
)
async def batch_epcis(call: Call[None]) -> web.Response:
    reference = call.param("batch_id")
    return _answer(await epcis.batch_document(call.session, reference), reference)


@api.route(
    "GET",
    "/lots/{ref}/epcis.json",
    summary="The lot's genealogy, downstream, as an EPCIS 2.0 document (lot id or number)",
    roles=EVERYONE,
    produces=(MEDIA_TYPE,),
)
async def lot_epcis(call: Call[None]) -> web.Response:
    reference = call.param("ref")
    return _answer(await epcis.lot_document(call.session, reference), reference)
