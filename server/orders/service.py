"""Production orders from the ERP: import them (idempotently), list them, and start a
batch from one once its reserved lots may be used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches import service as batches
from server.batches.models import Batch
from server.clock import utcnow
from server.db.paging import Keyset, Page, PageRequest, fetch_page
from server.errors import NotFound, Problem
from server.events.schemas import OrderEvent
from server.events.staging import stage
from server.library import service as library
from server.library.exceptions import NoEffectiveVersion
from server.materials import service as materials
from server.materials.exceptions import MaterialRefused
from server.materials.models import Lot, Material
from server.orders.documents import OrderSpec, in_unit
from server.orders.exceptions import (
    ImportClash,
    ImportRefused,
    OrderNotFound,
    OrderNotPlanned,
    ReservationRefused,
)
from server.orders.models import ProductionOrder, Reservation

# Who may start a batch from an order (as who may create a batch).
STARTERS: frozenset[str] = frozenset({"supervisor"})
ORDER_STATUSES = ("planned", "started", "completed")
ORDERS = Keyset("orders", (ProductionOrder.created_at, ProductionOrder.id), descending=True)


@dataclass
class Imported:
    """What an import did: records created, and records it found already there."""

    created: list[Any] = field(default_factory=list)
    unchanged: list[Any] = field(default_factory=list)


def _summary(order: ProductionOrder, spec: OrderSpec) -> dict[str, Any]:
    return {
        "order_number": order.order_number,
        "product": spec.product,
        "procedure": order.procedure_key,
        "version": order.procedure_version,
        "planned_quantity": str(order.planned_quantity),
        "unit": order.unit,
        "batch_number": order.batch_number,
        "parameters": order.parameters,
        "reservations": [
            {"material": r.material, "lot": r.lot, "quantity": str(r.quantity), "unit": r.unit}
            for r in spec.reservations
        ],
        "source": order.source,
    }


async def _resolved(
    session: AsyncSession, spec: OrderSpec
) -> tuple[Material | None, list[tuple[Material | None, Lot | None]], list[Problem]]:
    """The product and reserved materials and lots the order names, and what is wrong."""
    problems: list[Problem] = []

    async def material(reference: str, where: str) -> Material | None:
        try:
            return await materials.get_material(session, reference)
        except NotFound as exc:
            problems.append(Problem(where, exc.detail, code="unknown_material"))
            return None

    product = await material(spec.product, spec.path_of("product"))
    try:
        await library.effective_version(session, spec.procedure, spec.version)
    except (NotFound, NoEffectiveVersion) as exc:
        problems.append(Problem(spec.path_of("procedure"), exc.detail, code="no_procedure"))
    taken = await session.scalar(
        select(Batch.id).where(Batch.batch_number == spec.batch_number)
    ) or await session.scalar(
        select(ProductionOrder.id).where(ProductionOrder.batch_number == spec.batch_number)
    )
    if taken:
        message = f"batch number {spec.batch_number} is taken"
        problems.append(Problem(spec.path_of("batch_number"), message, code="taken"))
    reserved: list[tuple[Material | None, Lot | None]] = []
    for n, wanted in enumerate(spec.reservations):
        found = await material(wanted.material, spec.path_of(f"reservations.{n}.material"))
        lot = await materials.find_lot(session, wanted.lot) if wanted.lot else None
        where = spec.path_of(f"reservations.{n}.lot")
        if wanted.lot and lot is None:
            problems.append(Problem(where, f"there is no lot {wanted.lot!r}", code="unknown_lot"))
        elif lot is not None and found is not None and lot.material_id != found.id:
            message = f"lot {lot.lot_number} is {lot.material.code}, not {found.code}"
            problems.append(Problem(where, message, code="wrong_material"))
        reserved.append((found, lot))
    return product, reserved, problems


async def import_order(
    session: AsyncSession, user: User, spec: OrderSpec, source: str
) -> tuple[ProductionOrder, bool]:
    """Record an ERP order (and whether it is new): the same order again is found, not
    doubled; another order under a known number is refused, as is one naming what does
    not exist."""
    fingerprint = spec.fingerprint()
    existing = await session.scalar(
        select(ProductionOrder).where(ProductionOrder.order_number == spec.order_number)
    )
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise ImportClash(f"Order {spec.order_number}")
        return existing, False
    product, reserved, problems = await _resolved(session, spec)
    if problems or product is None:
        raise ImportRefused(problems)
    order = ProductionOrder(
        order_number=spec.order_number,
        product_id=product.id,
        procedure_key=spec.procedure,
        procedure_version=spec.version,
        planned_quantity=spec.planned_quantity,
        unit=spec.unit,
        batch_number=spec.batch_number,
        parameters=dict(spec.parameters),
        status="planned",
        source=source,
        fingerprint=fingerprint,
        created_at=utcnow(),
        created_by=user.id,
    )
    session.add(order)
    await session.flush()
    for position, (wanted, (material, lot)) in enumerate(
        zip(spec.reservations, reserved, strict=True)
    ):
        assert material is not None
        session.add(
            Reservation(
                order_id=order.id,
                position=position,
                material_id=material.id,
                lot_id=lot.id if lot else None,
                quantity=wanted.quantity,
                unit=wanted.unit,
            )
        )
    await session.flush()
    await session.refresh(order, ["reservations", "product"])
    actor = auth.actor_of(user)
    await audit.record(
        session, actor, "order.imported", "order", order.id, new=_summary(order, spec)
    )
    return order, True


async def import_orders(
    session: AsyncSession, user: User, specs: Sequence[OrderSpec], source: str
) -> Imported:
    """Import every order of a document, or none (the caller's transaction)."""
    imported = Imported()
    for spec in specs:
        order, new = await import_order(session, user, spec, source)
        (imported.created if new else imported.unchanged).append(order)
    return imported


async def list_orders(
    session: AsyncSession, page: PageRequest, *, statuses: Sequence[str] = ()
) -> Page[ProductionOrder]:
    """A page of orders, newest imported first, of the given statuses (all when none)."""
    query = select(ProductionOrder)
    if statuses:
        query = query.where(ProductionOrder.status.in_(statuses))
    return await fetch_page(session, query, ORDERS, page)


async def get_order(
    session: AsyncSession, reference: str, *, lock: bool = False
) -> ProductionOrder:
    """An order by id or order number (locked for change when `lock`)."""
    query = select(ProductionOrder).where(
        or_(ProductionOrder.id == reference, ProductionOrder.order_number == reference)
    )
    if lock:
        query = query.with_for_update(of=ProductionOrder).execution_options(populate_existing=True)
    order = await session.scalar(query)
    if order is None:
        raise OrderNotFound(reference)
    return order


async def order_of_batch(session: AsyncSession, batch_id: str) -> ProductionOrder | None:
    return await session.scalar(select(ProductionOrder).where(ProductionOrder.batch_id == batch_id))


def _check_reservations(order: ProductionOrder) -> None:
    """Every reserved lot is released, in date and holds what is reserved."""
    problems = []
    for n, reservation in enumerate(order.reservations):
        lot = reservation.lot
        if lot is None:
            continue
        where = f"reservations[{n}].lot"
        try:
            materials.check_lot(lot, reservation.material.code, where)
            materials.check_stock(
                lot, in_unit(reservation.quantity, reservation.unit, lot.unit), where
            )
        except MaterialRefused as exc:
            problems.append(Problem(where, f"lot {lot.lot_number}: {exc.message}", code=exc.code))
    if problems:
        raise ReservationRefused(order.order_number, problems)


async def start_order(session: AsyncSession, user: User, reference: str) -> ProductionOrder:
    """A supervisor creates the order's batch, pinned to the approved procedure version
    (the order's, or the newest approved), once every reserved lot may be used."""
    order = await get_order(session, reference, lock=True)
    if order.status != "planned":
        raise OrderNotPlanned(order.order_number, order.status)
    _check_reservations(order)
    batch = await batches.create_batch(
        session,
        user,
        procedure_key=order.procedure_key,
        version=order.procedure_version,
        batch_number=order.batch_number,
        parameters=order.parameters,
    )
    order.status, order.batch_id = "started", batch.id
    order.started_at, order.started_by = utcnow(), user.id
    await audit.record(
        session,
        auth.actor_of(user),
        "order.started",
        "order",
        order.id,
        old={"status": "planned"},
        new={"status": "started", "batch_number": batch.batch_number},
        batch_id=batch.id,
    )
    stage(
        session,
        OrderEvent(
            batch_id=batch.id,
            order_id=order.id,
            order_number=order.order_number,
            status="started",
        ),
    )
    return order
