"""Equipment endpoints: registry, cleaning and calibration, logbook, balance readings."""

from __future__ import annotations

from server.auth.roles import EVERYONE, SHOP_FLOOR
from server.db.paging import Page
from server.equipment import service as equipment
from server.equipment import weighing
from server.equipment.models import Equipment
from server.equipment.schemas import (
    CalibrationIn,
    EquipmentOut,
    LogEntryOut,
    ReadingOut,
    RegisterEquipmentIn,
    StatusIn,
)
from server.web import listing as lists
from server.web.api import Api, Call, Preparation
from server.web.signature_checks import VerifiedSignatures, verify_signatures

api = Api("equipment")
KEEPERS = frozenset({"supervisor", "admin"})
CALIBRATORS = frozenset({"supervisor", "qa", "admin"})


@api.route(
    "POST",
    "/equipment",
    summary="Register equipment",
    roles=KEEPERS,
    body=RegisterEquipmentIn,
    response=EquipmentOut,
    status=201,
    idempotent=True,
)
async def register_equipment(call: Call[RegisterEquipmentIn]) -> EquipmentOut:
    registered = await equipment.register(
        call.session,
        call.user,
        **call.body.model_dump(),
        networks=call.settings.allowed_balance_networks,
    )
    return EquipmentOut.of(registered)


@api.route(
    "GET",
    "/equipment",
    summary="List equipment by code, a page at a time",
    roles=EVERYONE,
    response=list[EquipmentOut],
    paged=True,
    filters={"type": "An equipment type (balance, press, ...)"},
)
async def list_equipment(call: Call[None]) -> Page[EquipmentOut]:
    page = lists.page_request(call.request, equipment.EQUIPMENT)
    found = await equipment.list_equipment(call.session, page, lists.text(call.request, "type"))
    return found.map(EquipmentOut.of)


@api.route(
    "GET",
    "/equipment/{ref}",
    summary="Equipment by id or code",
    roles=EVERYONE,
    response=EquipmentOut,
)
async def get_equipment(call: Call[None]) -> EquipmentOut:
    return EquipmentOut.of(await equipment.get(call.session, call.param("ref")))


@api.route(
    "POST",
    "/equipment/{ref}/status",
    summary="Record a cleaning (e-signature, meaning performed), soiling or maintenance",
    roles=SHOP_FLOOR,
    body=StatusIn,
    response=EquipmentOut,
    idempotent=True,
    prepare=verify_signatures,
)
async def set_status(call: Call[StatusIn]) -> EquipmentOut:
    body = call.body
    changed = await equipment.set_status(
        call.session,
        call.settings,
        call.user,
        call.param("ref"),
        status=body.status,
        reason=body.reason,
        clean_hold_hours=body.clean_hold_hours,
        signature=call.prepared_as(VerifiedSignatures).request(body.signature),
    )
    return EquipmentOut.of(changed)


@api.route(
    "POST",
    "/equipment/{ref}/calibration",
    summary="Record a calibration and the next due date",
    roles=CALIBRATORS,
    body=CalibrationIn,
    response=EquipmentOut,
    idempotent=True,
)
async def record_calibration(call: Call[CalibrationIn]) -> EquipmentOut:
    changed = await equipment.record_calibration(
        call.session, call.user, call.param("ref"), due=call.body.due, reason=call.body.reason
    )
    return EquipmentOut.of(changed)


@api.route(
    "GET",
    "/equipment/{ref}/log",
    summary="The equipment logbook, oldest first, a page at a time",
    roles=EVERYONE,
    response=list[LogEntryOut],
    paged=True,
)
async def logbook(call: Call[None]) -> Page[LogEntryOut]:
    page = lists.page_request(call.request, equipment.LOGBOOK)
    return (await equipment.logbook(call.session, call.param("ref"), page)).map(LogEntryOut.of)


async def _balance(prep: Preparation[None]) -> Equipment:
    async with prep.database.sessions(readonly=True)() as session:
        return await equipment.get(session, prep.param("ref"))


async def _weight_now(prep: Preparation[None]) -> ReadingOut:
    balance = await _balance(prep)
    reading = await weighing.current_weight(balance, prep.settings.allowed_balance_networks)
    return ReadingOut.of(balance, reading)


async def _tared(prep: Preparation[None]) -> ReadingOut:
    balance = await _balance(prep)
    reading = await weighing.tare(balance, prep.settings.allowed_balance_networks)
    return ReadingOut.of(balance, reading)


# Both talk to the balance in the prepare phase: no transaction waits on a settling pan.
@api.route(
    "GET",
    "/equipment/{ref}/weight",
    summary="What a balance shows now (MT-SICS SI)",
    roles=EVERYONE,
    response=ReadingOut,
    prepare=_weight_now,
)
async def current_weight(call: Call[None]) -> ReadingOut:
    return call.prepared_as(ReadingOut)


@api.route(
    "POST",
    "/equipment/{ref}/tare",
    summary="Tare a balance with what is on its pan (MT-SICS T)",
    roles=SHOP_FLOOR,
    response=ReadingOut,
    prepare=_tared,
)
async def tare(call: Call[None]) -> ReadingOut:
    return call.prepared_as(ReadingOut)
