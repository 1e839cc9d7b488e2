"""Genealogy: which lots went into a batch (backward), and where a lot went (forward).

Both answers are trees of `Node`s, ready to draw: batch → container → lot → supplier lot,
and lot → container → batch. A recall-impact view lists every batch a lot reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch
from server.library import service as library
from server.library.models import ProcedureVersion
from server.materials import service as materials
from server.materials.models import Container, Lot, MaterialUse


@dataclass
class Node:
    """One thing in a trace tree and what hangs below it."""

    kind: str
    id: str
    code: str
    label: str
    status: str
    detail: dict[str, Any] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "code": self.code,
            "label": self.label,
            "status": self.status,
            "detail": self.detail,
            "children": [child.to_json() for child in self.children],
        }


def _batch_node(batch: Batch) -> Node:
    version = batch.procedure_version
    return Node(
        "batch",
        batch.id,
        batch.batch_number,
        version.procedure.title,
        batch.status,
        {"procedure": version.procedure.key, "version": version.version},
    )


def _lot_node(lot: Lot, with_supplier: bool) -> Node:
    node = Node(
        "lot",
        lot.id,
        lot.lot_number,
        lot.material.name,
        lot.status,
        {
            "material": lot.material.code,
            "expiry": lot.expiry.isoformat(),
            "quantity": str(lot.quantity),
            "unit": lot.unit,
        },
    )
    if with_supplier:
        node.children.append(
            Node(
                "supplier_lot",
                lot.id,
                lot.supplier_lot,
                lot.supplier,
                "received",
                {"received_at": lot.received_at.isoformat()},
            )
        )
    return node


def _step_title(batch: Batch, step_id: str) -> str:
    """The procedure's title of a step of the batch (people read titles, not ids)."""
    return library.definition_of(batch.procedure_version).step(step_id).title


async def _container_node(session: AsyncSession, container: Container) -> Node:
    made_by = await session.scalar(
        select(Batch)
        .where(Batch.id == container.batch_id)
        .options(selectinload(Batch.procedure_version).selectinload(ProcedureVersion.procedure))
    )
    assert made_by is not None
    return Node(
        "container",
        container.id,
        container.number,
        container.lot.material.name,
        f"{container.quantity} {container.unit}",
        {
            "quantity": str(container.quantity),
            "unit": container.unit,
            "source": container.source,
            "step_id": container.step_id,
            "step_title": _step_title(made_by, container.step_id),
        },
    )


def _uses_query() -> Any:
    return (
        select(MaterialUse, Batch)
        .join(Batch, Batch.id == MaterialUse.batch_id)
        .options(selectinload(Batch.procedure_version).selectinload(ProcedureVersion.procedure))
    )


async def backward(session: AsyncSession, batch_ref: str) -> Node:
    """Batch → the containers and lots it used → their supplier lots."""
    batch = await session.scalar(
        select(Batch)
        .where((Batch.id == batch_ref) | (Batch.batch_number == batch_ref))
        .options(selectinload(Batch.procedure_version).selectinload(ProcedureVersion.procedure))
    )
    if batch is None:
        raise BatchNotFound(batch_ref)
    uses = (
        await session.scalars(
            select(MaterialUse).where(MaterialUse.batch_id == batch.id).order_by(MaterialUse.at)
        )
    ).all()
    root = _batch_node(batch)
    for use in uses:
        lot = await session.get_one(Lot, use.lot_id)
        lot_node = _lot_node(lot, with_supplier=True)
        if use.container_id is None:
            root.children.append(lot_node)
            continue
        container = await session.get_one(Container, use.container_id)
        container_node = await _container_node(session, container)
        container_node.detail["use"] = use.kind
        container_node.children.append(lot_node)
        root.children.append(container_node)
    return root


async def forward(session: AsyncSession, lot_ref: str) -> Node:
    """Lot → every container made from it → every batch that used the lot or a container."""
    lot = await materials.get_lot(session, lot_ref)
    rows = (await session.execute(_uses_query().where(MaterialUse.lot_id == lot.id))).all()
    root = _lot_node(lot, with_supplier=False)
    containers: dict[str, Node] = {}
    for use, batch in rows:
        batch_node = _batch_node(batch)
        batch_node.detail.update(
            {"step_id": use.step_id, "step_title": _step_title(batch, use.step_id), "use": use.kind}
        )
        if use.container_id is None:
            root.children.append(batch_node)
            continue
        if use.container_id not in containers:
            container = await session.get_one(Container, use.container_id)
            containers[use.container_id] = await _container_node(session, container)
            root.children.append(containers[use.container_id])
        containers[use.container_id].children.append(batch_node)
    return root


@dataclass(frozen=True)
class Affected:
    """A batch a recalled lot reached, and how."""

    batch_id: str
    batch_number: str
    status: str
    procedure: str
    steps: Sequence[str]
    step_titles: Sequence[str]


async def recall_impact(session: AsyncSession, lot_ref: str) -> tuple[Lot, list[Affected]]:
    """Every batch that used the lot, directly or through a container, with its status."""
    lot = await materials.get_lot(session, lot_ref)
    rows = (
        await session.execute(
            _uses_query().where(MaterialUse.lot_id == lot.id).order_by(Batch.batch_number)
        )
    ).all()
    by_batch: dict[str, tuple[Batch, list[str]]] = {}
    for use, batch in rows:
        by_batch.setdefault(batch.id, (batch, []))[1].append(use.step_id)
    affected = [
        Affected(
            batch.id,
            batch.batch_number,
            batch.status,
            batch.procedure_version.procedure.title,
            steps,
            [_step_title(batch, step_id) for step_id in steps],
        )
        for batch, steps in by_batch.values()
    ]
    return lot, affected
