"""Genealogy: which lots went into a batch (backward), and where a lot went (forward), at
every level: a lot a batch produced leads on to the batches that used it, and back to the
batch that made it.

Both answers are trees of `Node`s, ready to draw: batch → container → lot → the batch that
produced it (or, for a received lot, its supplier lot) → ..., and lot → batch (that used it,
or dispensed it into containers → the batches that used those) → the lot it produced → ....
The recall impact lists every batch and lot a lot reached.
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
from server.genealogy.graph import PRODUCED, Graph, Key, below, downstream, upstream
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


@dataclass(frozen=True)
class _Things:
    """The batches, lots and containers of a graph, loaded in one query per kind."""

    batches: dict[str, Batch]
    lots: dict[str, Lot]
    containers: dict[str, Container]

    def step_title(self, use: MaterialUse) -> str:
        """The title of the step a use was recorded at, as its procedure names it."""
        version = self.batches[use.batch_id].procedure_version
        try:
            return library.definition_of(version).step(use.step_id).title
        except KeyError:
            return use.step_id


def _with_procedure() -> Any:
    return selectinload(Batch.procedure_version).selectinload(ProcedureVersion.procedure)


async def _things(session: AsyncSession, graph: Graph) -> _Things:
    batches = await session.scalars(
        select(Batch).where(Batch.id.in_(graph.ids("batch"))).options(_with_procedure())
    )
    lots = await session.scalars(select(Lot).where(Lot.id.in_(graph.ids("lot"))))
    containers = await session.scalars(
        select(Container).where(Container.id.in_(graph.ids("container")))
    )
    return _Things(
        {batch.id: batch for batch in batches},
        {lot.id: lot for lot in lots},
        {container.id: container for container in containers},
    )


class _Tree:
    """Draws a graph as a tree: a node already on the path is a cycle, and a batch already
    drawn elsewhere is drawn again without its subtree (`repeated`)."""

    def __init__(self, graph: Graph, things: _Things, *, backward: bool) -> None:
        self.graph, self.things, self.backward = graph, things, backward
        self.expanded: set[tuple[Key, Key | None]] = set()

    def tree(self, root: Key) -> Node:
        """The whole tree below `root`."""
        return self.draw(root, None, None, frozenset())

    def draw(
        self, key: Key, use: MaterialUse | None, parent: Key | None, ancestors: frozenset[Key]
    ) -> Node:
        node = self._node(key)
        if use is not None:
            node.detail.update(
                {"use": use.kind, "step_id": use.step_id, "step": self.things.step_title(use)}
            )
        edges = self.graph.edges.get(key, []) if self.backward else below(self.graph, key, parent)
        if key in ancestors:
            node.detail["cycle"] = True
            return node
        # Downstream, what a batch leads to depends on the lot it was reached from.
        drawn = (key, None if self.backward else parent)
        if key[0] == "batch" and edges and drawn in self.expanded:
            node.detail["repeated"] = True
            return node
        self.expanded.add(drawn)
        for edge in edges:
            node.children.append(self.draw(edge.child, edge.use, key, ancestors | {key}))
        if self.backward and key[0] == "lot" and not edges:
            node.children.append(_supplier_node(self.things.lots[key[1]]))
        return node

    def _node(self, key: Key) -> Node:
        kind, ident = key
        if kind == "batch":
            return _batch_node(self.things.batches[ident])
        if kind == "lot":
            return _lot_node(self.things.lots[ident])
        return _container_node(self.things.containers[ident])


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


def _lot_node(lot: Lot) -> Node:
    return Node(
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


def _supplier_node(lot: Lot) -> Node:
    return Node(
        "supplier_lot",
        lot.id,
        lot.supplier_lot,
        lot.supplier,
        "received",
        {"received_at": lot.received_at.isoformat()},
    )


def _container_node(container: Container) -> Node:
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
        },
    )


async def _batch(session: AsyncSession, batch_ref: str) -> Batch:
    batch = await session.scalar(
        select(Batch).where((Batch.id == batch_ref) | (Batch.batch_number == batch_ref))
    )
    if batch is None:
        raise BatchNotFound(batch_ref)
    return batch


async def backward(session: AsyncSession, batch_ref: str) -> Node:
    """Batch → what it used → the batches that made it (or supplier lots) → ..., every level."""
    root: Key = ("batch", (await _batch(session, batch_ref)).id)
    graph = await upstream(session, root)
    return _Tree(graph, await _things(session, graph), backward=True).draw(
        root, None, None, frozenset()
    )


async def forward(session: AsyncSession, lot_ref: str) -> Node:
    """Lot → containers → batches → the lots they produced → ..., every level."""
    root: Key = ("lot", (await materials.get_lot(session, lot_ref)).id)
    graph = await downstream(session, root)
    return _Tree(graph, await _things(session, graph), backward=False).draw(
        root, None, None, frozenset()
    )


@dataclass(frozen=True)
class Affected:
    """A batch a recalled lot reached, how far down (`level` 1: it used the lot itself), at
    which steps, and through which lot or container (`via`)."""

    batch_id: str
    batch_number: str
    status: str
    procedure: str
    level: int
    via: str
    steps: Sequence[str]
    step_titles: Sequence[str]

    def to_json(self) -> dict[str, Any]:
        return vars(self) | {"steps": list(self.steps), "step_titles": list(self.step_titles)}


@dataclass(frozen=True)
class RecallImpact:
    """Everything downstream of a lot: the batches it reached and the lots they produced."""

    lot: Lot
    affected: list[Affected]
    lots: list[Lot]


async def recall_impact(session: AsyncSession, lot_ref: str) -> RecallImpact:
    """Every batch that used the lot, directly, through a container, or through a lot made
    from it (at any level), and every lot those batches produced."""
    lot = await materials.get_lot(session, lot_ref)
    root: Key = ("lot", lot.id)
    graph = await downstream(session, root)
    things = await _things(session, graph)
    levels: dict[Key, int] = {root: 0}
    parents: dict[Key, Key] = {}
    uses: dict[Key, dict[str, MaterialUse]] = {}
    queue: list[tuple[Key, Key | None]] = [(root, None)]
    walked = set(queue)
    for key, parent in queue:  # breadth first: a batch gets its shortest distance from the lot
        for edge in below(graph, key, parent):
            child = edge.child
            if child not in levels:
                levels[child] = levels[key] + (child[0] == "batch")
                parents[child] = key
            if child[0] == "batch" and edge.use is not None and edge.use.kind != PRODUCED:
                uses.setdefault(child, {})[edge.use.id] = edge.use
            if (child, key) not in walked:
                walked.add((child, key))
                queue.append((child, key))
    order = list(levels)
    affected = [
        _affected(things.batches[key[1]], things, levels[key], _code(things, parents[key]), uses)
        for key in order
        if key[0] == "batch"
    ]
    affected.sort(key=lambda item: (item.level, item.batch_number))
    produced = [things.lots[key[1]] for key in order[1:] if key[0] == "lot"]
    return RecallImpact(lot, affected, produced)


def _affected(
    batch: Batch,
    things: _Things,
    level: int,
    via: str,
    uses: dict[Key, dict[str, MaterialUse]],
) -> Affected:
    steps = list(uses.get(("batch", batch.id), {}).values())
    return Affected(
        batch.id,
        batch.batch_number,
        batch.status,
        batch.procedure_version.procedure.title,
        level,
        via,
        [use.step_id for use in steps],
        [things.step_title(use) for use in steps],
    )


def _code(things: _Things, key: Key) -> str:
    kind, ident = key
    if kind == "lot":
        return things.lots[ident].lot_number
    if kind == "container":
        return things.containers[ident].number
    return things.batches[ident].batch_number
