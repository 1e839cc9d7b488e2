"""Production order and ERP import endpoints: JSON or ISA-95 B2MML in, JSON out."""

from __future__ import annotations

from server.auth.roles import EVERYONE
from server.db.paging import Page
from server.materials.numbering import Numbering
from server.orders import master_data
from server.orders import service as orders
from server.orders.schemas import (
    MaterialInformationIn,
    MaterialsImportedOut,
    OrderOut,
    OrdersImportedOut,
    OrdersIn,
    read_material_information,
    read_orders,
)
from server.web import listing as lists
from server.web.api import Api, Call

api = Api("orders")
# Who imports ERP documents: the integration's account (admin) or a supervisor (orders),
# QA or admin (the material master, as for POST /materials).
ORDER_IMPORTERS = frozenset({"supervisor", "admin"})
MASTER_DATA = frozenset({"qa", "admin"})
DOCUMENTS = ("application/json", "application/xml")


@api.route(
    "POST",
    "/orders",
    summary="Import production orders (JSON: one order or {orders: [...]}; or a B2MML "
    "ProductionSchedule); the same order again is not doubled",
    roles=ORDER_IMPORTERS,
    response=OrdersImportedOut,
    upload=OrdersIn,
    consumes=DOCUMENTS,
    idempotent=True,
)
async def import_orders(call: Call[None]) -> OrdersImportedOut:
    specs, source = read_orders(call.raw, call.request.content_type)
    return OrdersImportedOut.of(await orders.import_orders(call.session, call.user, specs, source))


@api.route(
    "GET",
    "/orders",
    summary="Production orders, newest imported first, a page at a time",
    roles=EVERYONE,
    response=list[OrderOut],
    paged=True,
    filters={"status": "Comma-separated statuses: " + ", ".join(orders.ORDER_STATUSES)},
)
async def list_orders(call: Call[None]) -> Page[OrderOut]:
    request = call.request
    found = await orders.list_orders(
        call.session,
        lists.page_request(request, orders.ORDERS),
        statuses=lists.choices(request, "status", orders.ORDER_STATUSES),
    )
    return found.map(OrderOut.of)


@api.route(
    "GET", "/orders/{ref}", summary="A production order by id or number", roles=EVERYONE,
    response=OrderOut,
)  # fmt: skip
async def get_order(call: Call[None]) -> OrderOut:
    return OrderOut.of(await orders.get_order(call.session, call.param("ref")))


@api.route(
    "POST",
    "/orders/{ref}/start",
    summary="Create the order's batch, pinned to the approved procedure version, once its "
    "reserved lots may be used (supervisor)",
    roles=orders.STARTERS,
    response=OrderOut,
    idempotent=True,
)
async def start_order(call: Call[None]) -> OrderOut:
    return OrderOut.of(await orders.start_order(call.session, call.user, call.param("ref")))


@api.route(
    "POST",
    "/materials/import",
    summary="Import the material master and received lots (JSON, or B2MML "
    "MaterialInformation / MaterialDefinition / MaterialLot); what exists is not doubled",
    roles=MASTER_DATA,
    response=MaterialsImportedOut,
    upload=MaterialInformationIn,
    consumes=DOCUMENTS,
    idempotent=True,
)
async def import_materials(call: Call[None]) -> MaterialsImportedOut:
    information = read_material_information(call.raw, call.request.content_type)
    made, lots = await master_data.import_material_information(
        call.session, call.user, information, Numbering.of(call.settings)
    )
    return MaterialsImportedOut.of(made, lots)
