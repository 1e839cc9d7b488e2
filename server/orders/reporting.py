"""The report back to the ERP when a batch started from an order completes: what it
consumed and what it yielded, as an `order` event in the batch's journal (so the webhook
outbox delivers it, in order with the batch's other events, exactly when it commits).

Imported by batch execution, so it imports nothing of `server.batches`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.events.schemas import MaterialQuantity, OrderEvent
from server.events.staging import stage
from server.materials.models import Container, Lot, MaterialUse
from server.orders.documents import in_unit, is_mass
from server.orders.models import ProductionOrder


async def _uses(session: AsyncSession, batch_id: str) -> Sequence[MaterialUse]:
    found = await session.scalars(
        select(MaterialUse)
        .where(MaterialUse.batch_id == batch_id)
        .order_by(MaterialUse.at, MaterialUse.id)
    )
    return found.all()


async def _totals(
    session: AsyncSession, uses: Sequence[MaterialUse]
) -> list[tuple[Lot, Decimal | None, str | None]]:
    """Per lot, in first-use order: the quantity used (None when no use was weighed)."""
    containers = {
        container.id: container
        for container in await session.scalars(
            select(Container).where(Container.id.in_({u.container_id for u in uses}))
        )
    }
    totals: dict[str, tuple[Decimal | None, str | None]] = {}
    for use in uses:
        quantity, unit = use.quantity, use.unit
        if quantity is None and use.container_id in containers:  # a dispensed container, whole
            container = containers[use.container_id]
            quantity, unit = container.quantity, container.unit
        before, before_unit = totals.get(use.lot_id, (None, None))
        if quantity is not None and unit is not None:
            if before is not None and before_unit is not None:
                quantity = before + in_unit(quantity, unit, before_unit)
                unit = before_unit
            totals[use.lot_id] = (quantity, unit)
        else:
            totals.setdefault(use.lot_id, (before, before_unit))
    lots = {
        lot.id: lot
        for lot in await session.scalars(
            select(Lot).where(Lot.id.in_(totals)).options(selectinload(Lot.material))
        )
    }
    return [(lots[lot_id], quantity, unit) for lot_id, (quantity, unit) in totals.items()]


def _listed(totals: list[tuple[Lot, Decimal | None, str | None]]) -> list[MaterialQuantity]:
    return [
        MaterialQuantity(
            lot_number=lot.lot_number,
            material=lot.material.code,
            quantity=None if quantity is None else str(quantity),
            unit=unit,
        )
        for lot, quantity, unit in totals
    ]


def _yield(
    order: ProductionOrder, produced: list[tuple[Lot, Decimal | None, str | None]]
) -> float | None:
    made = [
        in_unit(quantity, unit, order.unit)
        for lot, quantity, unit in produced
        if lot.material_id == order.product_id and quantity is not None and is_mass(unit)
    ]
    if not made or order.planned_quantity <= 0:
        return None
    return round(float(sum(made) / order.planned_quantity * 100), 2)


async def report_completion(session: AsyncSession, user: User, batch_id: str) -> None:
    """If the batch came from an order, complete the order and stage its report."""
    order = await session.scalar(
        select(ProductionOrder).where(
            ProductionOrder.batch_id == batch_id, ProductionOrder.status == "started"
        )
    )
    if order is None:
        return
    uses = await _uses(session, batch_id)
    consumed = await _totals(session, [use for use in uses if use.kind != "produced"])
    produced = await _totals(session, [use for use in uses if use.kind == "produced"])
    report = OrderEvent(
        batch_id=batch_id,
        order_id=order.id,
        order_number=order.order_number,
        status="completed",
        planned_quantity=str(order.planned_quantity),
        unit=order.unit,
        consumed=_listed(consumed),
        produced=_listed(produced),
        yield_pct=_yield(order, produced),
    )
    order.status = "completed"
    await audit.record(
        session,
        auth.actor_of(user),
        "order.completed",
        "order",
        order.id,
        old={"status": "started"},
        new={"status": "completed", **report.model_dump(mode="json", include={
            "consumed", "produced", "yield_pct"})},
        batch_id=batch_id,
    )  # fmt: skip
    stage(session, report)
