"""Material master, lot receipt and release, and container endpoints."""

from __future__ import annotations

from server.auth.roles import EVERYONE
from server.db.paging import Page
from server.materials import service as materials
from server.materials.numbering import Numbering
from server.materials.schemas import (
    ContainerOut,
    CreateMaterialIn,
    LotOut,
    LotStatusIn,
    MaterialOut,
    ReceiveLotIn,
)
from server.web import listing as lists
from server.web.api import Api, Call
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("materials")
MASTER_DATA = frozenset({"qa", "admin"})
RECEIVERS = frozenset({"operator", "supervisor", "qa"})
QUALITY = materials.LOT_DECIDERS


@api.route(
    "POST",
    "/materials",
    summary="Add a material to the master",
    roles=MASTER_DATA,
    body=CreateMaterialIn,
    response=MaterialOut,
    status=201,
    idempotent=True,
)
async def create_material(call: Call[CreateMaterialIn]) -> MaterialOut:
    created = await materials.create_material(call.session, call.user, **call.body.model_dump())
    return MaterialOut.of(created)


@api.route(
    "GET", "/materials", summary="The material master, by code", roles=EVERYONE,
    response=list[MaterialOut], paged=True,
)  # fmt: skip
async def list_materials(call: Call[None]) -> Page[MaterialOut]:
    page = lists.page_request(call.request, materials.MATERIALS)
    return (await materials.list_materials(call.session, page)).map(MaterialOut.of)


@api.route(
    "POST",
    "/lots",
    summary="Receive a lot (into quarantine)",
    roles=RECEIVERS,
    body=ReceiveLotIn,
    response=LotOut,
    status=201,
    idempotent=True,
)
async def receive_lot(call: Call[ReceiveLotIn]) -> LotOut:
    numbering = Numbering.of(call.settings)
    lot = await materials.receive_lot(
        call.session, call.user, **call.body.model_dump(), numbering=numbering
    )
    return LotOut.of(lot)


@api.route(
    "GET",
    "/lots",
    summary="List lots, newest received first, a page at a time",
    roles=EVERYONE,
    response=list[LotOut],
    paged=True,
    filters={
        "material": "A material by id, code or GTIN",
        "status": "Comma-separated statuses: " + ", ".join(materials.LOT_STATUSES),
        "expiry_before": "Expiring before this date (ISO-8601 date)",
        "lot_number": "A prefix of the lot number",
    },
)
async def list_lots(call: Call[None]) -> Page[LotOut]:
    request = call.request
    found = await materials.list_lots(
        call.session,
        lists.page_request(request, materials.LOTS),
        material=lists.text(request, "material"),
        statuses=lists.choices(request, "status", materials.LOT_STATUSES),
        expiry_before=lists.day(request, "expiry_before"),
        number_prefix=lists.text(request, "lot_number"),
    )
    return found.map(LotOut.of)


@api.route("GET", "/lots/{ref}", summary="A lot by id or number", roles=EVERYONE, response=LotOut)
async def get_lot(call: Call[None]) -> LotOut:
    return LotOut.of(await materials.get_lot(call.session, call.param("ref")))


@api.route(
    "POST",
    "/lots/{ref}/status",
    summary="Release, reject or re-quarantine a lot (QA, e-signature)",
    roles=QUALITY,
    body=LotStatusIn,
    response=LotOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def set_lot_status(call: Call[LotStatusIn]) -> LotOut:
    lot = await materials.set_lot_status(
        call.session,
        call.settings,
        call.user,
        call.param("ref"),
        status=call.body.status,
        reason=call.body.reason,
        signature=call.prepared_as(VerifiedSignatures).request(call.body.signature),
    )
    return LotOut.of(lot)


@api.route(
    "GET",
    "/containers/{ref}",
    summary="A dispensed container by id or number",
    roles=EVERYONE,
    response=ContainerOut,
)
async def get_container(call: Call[None]) -> ContainerOut:
    return ContainerOut.of(await materials.get_container(call.session, call.param("ref")))
