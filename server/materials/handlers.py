"""Material master, lot receipt and release, and container endpoints."""

from __future__ import annotations

from server.auth.roles import EVERYONE
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
    "GET", "/materials", summary="The material master", roles=EVERYONE, response=list[MaterialOut]
)
async def list_materials(call: Call[None]) -> list[MaterialOut]:
    return [MaterialOut.of(m) for m in await materials.list_materials(call.session)]


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
    summary="List lots (filter with ?material= and ?status=)",
    roles=EVERYONE,
    response=list[LotOut],
)
async def list_lots(call: Call[None]) -> list[LotOut]:
    query = call.request.query
    found = await materials.list_lots(
        call.session, material=query.get("material"), status=query.get("status")
    )
    return [LotOut.of(lot) for lot in found]


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
