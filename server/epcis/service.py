"""A batch's or a lot's genealogy as a GS1 EPCIS 2.0 document (JSON-LD), so a partner's
EPCIS repository can ingest it.

- A lot received from a supplier: an ObjectEvent (ADD, `receiving`, in quarantine) with
  its LGTIN class and quantity; each QA decision on it an ObjectEvent (OBSERVE,
  `inspecting`, `conformant` when released, `non_conformant` when rejected).
- A batch: one TransformationEvent, its id the batch's, with the lots it consumed (by class
  and quantity), the dispensed containers it used (SGTIN), the lots it produced and the
  containers it dispensed; the ERP order it came from as a `prodorder` business transaction.

A batch's document follows its inputs upstream (through the batches that made them); a lot's
follows it downstream (through the batches that used it and what they made). Times are
those of the audit trail; event ids are derived from it, so an export repeated is the same.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.audit.models import AuditEntry
from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch
from server.clock import isoformat, utcnow
from server.epcis.identifiers import UOM, batch_uri, lot_class, serial_instance
from server.materials import service as materials
from server.materials.models import Container, Lot, MaterialUse
from server.orders.models import ProductionOrder

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Event ids are name-based UUIDs under this namespace (the same record, the same id).
_EVENT_IDS = uuid.UUID("5b0f5d1e-9a3c-4c1e-8f3a-2f6d1c0e7a41")
_DECISIONS = {"released": "conformant", "rejected": "non_conformant", "quarantine": "unavailable"}


@dataclass
class _Scope:
    """The batches and lots of the genealogy, and every use of a lot by those batches."""

    batches: dict[str, Batch] = field(default_factory=dict)
    lots: dict[str, Lot] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    uses: dict[str, MaterialUse] = field(default_factory=dict)


async def _uses_of_batches(session: AsyncSession, ids: Iterable[str]) -> list[MaterialUse]:
    found = await session.scalars(select(MaterialUse).where(MaterialUse.batch_id.in_(set(ids))))
    return list(found)


async def _containers(session: AsyncSession, scope: _Scope, ids: set[str]) -> list[Container]:
    wanted = ids - scope.containers.keys()
    if not wanted:
        return []
    found = list(await session.scalars(select(Container).where(Container.id.in_(wanted))))
    scope.containers.update((c.id, c) for c in found)
    return found


async def _add_batches(session: AsyncSession, scope: _Scope, ids: set[str]) -> list[MaterialUse]:
    """Add batches and their uses; the uses new to the scope."""
    wanted = ids - scope.batches.keys()
    if not wanted:
        return []
    found = await session.scalars(
        select(Batch).where(Batch.id.in_(wanted)).options(selectinload(Batch.procedure_version))
    )
    scope.batches.update((b.id, b) for b in found)
    uses = [u for u in await _uses_of_batches(session, wanted) if u.id not in scope.uses]
    scope.uses.update((u.id, u) for u in uses)
    await _containers(session, scope, {u.container_id for u in uses if u.container_id})
    return uses


async def _upstream(session: AsyncSession, root: Batch) -> _Scope:
    scope = _Scope()
    frontier = {root.id}
    while frontier:
        uses = await _add_batches(session, scope, frontier)
        inputs = [u for u in uses if u.kind != "produced"]
        makers = {scope.containers[u.container_id].batch_id for u in inputs if u.container_id}
        lot_ids = {u.lot_id for u in inputs}
        makers |= set(
            await session.scalars(
                select(MaterialUse.batch_id).where(
                    MaterialUse.lot_id.in_(lot_ids), MaterialUse.kind == "produced"
                )
            )
        )
        frontier = makers - scope.batches.keys()
    return scope


async def _downstream(session: AsyncSession, root: Lot) -> _Scope:
    scope = _Scope()
    lots = {root.id}
    while lots:
        containers = list(
            await session.scalars(select(Container).where(Container.lot_id.in_(lots)))
        )
        scope.containers.update((c.id, c) for c in containers)
        users = set(
            await session.scalars(
                select(MaterialUse.batch_id).where(
                    MaterialUse.kind != "produced",
                    or_(
                        MaterialUse.lot_id.in_(lots),
                        MaterialUse.container_id.in_({c.id for c in containers}),
                    ),
                )
            )
        )
        uses = await _add_batches(session, scope, users)
        lots = {u.lot_id for u in uses if u.kind == "produced"}
    scope.lots[root.id] = root
    return scope


async def _load_lots(session: AsyncSession, scope: _Scope) -> None:
    ids = {u.lot_id for u in scope.uses.values()} | {c.lot_id for c in scope.containers.values()}
    wanted = ids - scope.lots.keys()
    if wanted:
        found = await session.scalars(select(Lot).where(Lot.id.in_(wanted)))
        scope.lots.update((lot.id, lot) for lot in found)


def _time(at: datetime) -> dict[str, str]:
    return {"eventTime": isoformat(at), "eventTimeZoneOffset": "+00:00"}


def _event_id(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_EVENT_IDS, '/'.join(str(p) for p in parts))}"


def _quantity(epc_class: str, quantity: Decimal | None, unit: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"epcClass": epc_class}
    if quantity is not None and unit in UOM:
        element |= {"quantity": float(quantity), "uom": UOM[unit]}
    return element


def _class_of(lot: Lot) -> str:
    return lot_class(lot.material.gtin, lot.lot_number)


def _instance_of(scope: _Scope, container_id: str) -> str:
    container = scope.containers[container_id]
    lot = scope.lots[container.lot_id]
    return serial_instance(lot.material.gtin, container.number)


async def _lot_events(session: AsyncSession, scope: _Scope) -> list[dict[str, Any]]:
    """Receipts and QA decisions of the lots, from the audit trail."""
    entries = await session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == "lot",
            AuditEntry.entity_id.in_(scope.lots.keys()),
            AuditEntry.action.in_(("lot.received", "lot.status_changed")),
        )
        .order_by(AuditEntry.seq)
    )
    events = []
    for entry in entries:
        lot = scope.lots[entry.entity_id]
        new = json.loads(entry.new or "{}")
        event: dict[str, Any] = {
            "type": "ObjectEvent",
            **_time(entry.at),
            "eventID": _event_id("audit", entry.seq),
            "epcList": [],
        }
        if entry.action == "lot.received":
            quantity = Decimal(new["quantity"]) if "quantity" in new else None
            event |= {
                "action": "ADD",
                "bizStep": "receiving",
                "disposition": "unavailable",
                "quantityList": [_quantity(_class_of(lot), quantity, new.get("unit"))],
            }
        else:
            event |= {
                "action": "OBSERVE",
                "bizStep": "inspecting",
                "disposition": _DECISIONS.get(new.get("status", ""), "unknown"),
                "quantityList": [_quantity(_class_of(lot), None, None)],
            }
        events.append(event)
    return events


def _transformation(
    scope: _Scope, batch: Batch, order: ProductionOrder | None
) -> dict[str, Any] | None:
    uses = sorted(
        (u for u in scope.uses.values() if u.batch_id == batch.id), key=lambda u: (u.at, u.id)
    )
    if not uses:
        return None
    inputs_epc, inputs, outputs_epc, outputs = [], [], [], []
    for use in uses:
        lot = scope.lots[use.lot_id]
        if use.kind == "produced":
            outputs.append(_quantity(_class_of(lot), use.quantity, use.unit))
        elif use.kind == "dispensed" and use.container_id:
            inputs.append(_quantity(_class_of(lot), use.quantity, use.unit))
            outputs_epc.append(_instance_of(scope, use.container_id))
        elif use.container_id:
            inputs_epc.append(_instance_of(scope, use.container_id))
        else:
            inputs.append(_quantity(_class_of(lot), use.quantity, use.unit))
    event: dict[str, Any] = {
        "type": "TransformationEvent",
        **_time(batch.completed_at or uses[-1].at),
        "eventID": _event_id("batch", batch.id),
        "transformationID": batch_uri(batch.batch_number),
        "bizStep": "creating_class_instance" if outputs else "dispensing",
        "disposition": "in_progress" if batch.completed_at is None else "active",
    }
    for key, value in (
        ("inputEPCList", inputs_epc),
        ("inputQuantityList", inputs),
        ("outputEPCList", outputs_epc),
        ("outputQuantityList", outputs),
    ):
        if value:
            event[key] = value
    if order is not None:
        event["bizTransactionList"] = [
            {"type": "prodorder", "bizTransaction": f"urn:stepwise:order:{order.order_number}"}
        ]
    return event


async def _document(session: AsyncSession, scope: _Scope) -> dict[str, Any]:
    await _load_lots(session, scope)
    orders = {
        order.batch_id: order
        for order in await session.scalars(
            select(ProductionOrder).where(ProductionOrder.batch_id.in_(scope.batches.keys()))
        )
    }
    events = await _lot_events(session, scope)
    for batch in scope.batches.values():
        made = _transformation(scope, batch, orders.get(batch.id))
        if made is not None:
            events.append(made)
    events.sort(key=lambda event: (event["eventTime"], event["eventID"]))
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": isoformat(utcnow()),
        "epcisBody": {"eventList": events},
    }


async def batch_document(session: AsyncSession, reference: str) -> dict[str, Any]:
    """The EPCIS document of a batch (by id or number) and everything upstream of it."""
    batch = await session.scalar(
        select(Batch).where(or_(Batch.id == reference, Batch.batch_number == reference))
    )
    if batch is None:
        raise BatchNotFound(reference)
    return await _document(session, await _upstream(session, batch))


async def lot_document(session: AsyncSession, reference: str) -> dict[str, Any]:
    """The EPCIS document of a lot (by id or number) and everything downstream of it."""
    lot = await materials.get_lot(session, reference)
    return await _document(session, await _downstream(session, lot))
