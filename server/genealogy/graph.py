"""The genealogy graph around a lot or a batch, loaded level by level.

Each level is one query over the material uses of the whole frontier (a breadth-first walk
with batched queries), so a trace costs a query per generation, not per thing. Nodes are
`(kind, id)` keys; an edge keeps the material use it came from (step, kind of use).

Downstream (forward): lot → the batches that used it or dispensed from it; batch → the
containers it dispensed and the lots it produced; container → the batches that used it.
Upstream (backward): batch → the containers and lots it used; container → its lot;
lot → the batch that produced it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.materials.models import MaterialUse

Key = tuple[str, str]
"""A node of the graph: `("lot" | "container" | "batch", id)`."""

PRODUCED = "produced"
DISPENSED = "dispensed"


@dataclass(frozen=True)
class Edge:
    """From one node to the next, through a material use (None: a container's own lot)."""

    child: Key
    use: MaterialUse | None


@dataclass
class Graph:
    """Every node reached from `root`, and the edges to the nodes below each one."""

    root: Key
    edges: dict[Key, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    seen: set[Key] = field(default_factory=set)

    def ids(self, kind: str) -> set[str]:
        """The ids of every node of this kind reached."""
        return {ident for node_kind, ident in self.seen if node_kind == kind}

    def link(self, parent: Key, child: Key, use: MaterialUse | None, frontier: set[Key]) -> None:
        """Add the edge once; a node not reached before joins `frontier`."""
        if any(edge.child == child and edge.use is use for edge in self.edges[parent]):
            return
        self.edges[parent].append(Edge(child, use))
        if child not in self.seen:
            self.seen.add(child)
            frontier.add(child)


def below(graph: Graph, key: Key, parent: Key | None) -> list[Edge]:
    """The edges below `key` when reached from `parent`: a batch leads on to the containers it
    dispensed from that lot only (the others hold other materials), and to what it produced."""
    edges = graph.edges.get(key, [])
    if key[0] != "batch":
        return edges
    return [
        edge
        for edge in edges
        if edge.child[0] != "container"
        or (parent is not None and edge.use is not None and parent == ("lot", edge.use.lot_id))
    ]


def _in(column: ColumnElement[str | None], ids: set[str]) -> ColumnElement[bool]:
    return column.in_(ids) if ids else false()


def _of(frontier: set[Key], kind: str) -> set[str]:
    return {ident for node_kind, ident in frontier if node_kind == kind}


async def downstream(session: AsyncSession, root: Key) -> Graph:
    """Where a lot (or container) went: every container, batch and output lot below it."""
    graph = Graph(root, seen={root})
    frontier = {root}
    while frontier:
        lots, containers, batches = (_of(frontier, kind) for kind in ("lot", "container", "batch"))
        uses = await _uses(
            session,
            and_(_in(MaterialUse.lot_id, lots), MaterialUse.kind != PRODUCED),
            _in(MaterialUse.container_id, containers),
            and_(_in(MaterialUse.batch_id, batches), MaterialUse.kind == PRODUCED),
        )
        found: set[Key] = set()
        for use in uses:
            batch: Key = ("batch", use.batch_id)
            if use.kind == PRODUCED:
                graph.link(batch, ("lot", use.lot_id), use, found)
            elif use.lot_id in lots and use.container_id is None:
                graph.link(("lot", use.lot_id), batch, use, found)
            elif use.lot_id in lots and use.kind == DISPENSED:
                graph.link(("lot", use.lot_id), batch, use, found)
                graph.link(batch, ("container", use.container_id), use, found)
            if use.container_id in containers and use.kind != DISPENSED:
                graph.link(("container", use.container_id), batch, use, found)
        frontier = found
    return graph


async def upstream(session: AsyncSession, root: Key) -> Graph:
    """What went into a batch: containers, lots, and the batches that made those lots."""
    graph = Graph(root, seen={root})
    frontier = {root}
    while frontier:
        lots, batches = _of(frontier, "lot"), _of(frontier, "batch")
        uses = await _uses(
            session,
            and_(_in(MaterialUse.batch_id, batches), MaterialUse.kind != PRODUCED),
            and_(_in(MaterialUse.lot_id, lots), MaterialUse.kind == PRODUCED),
        )
        found: set[Key] = set()
        for use in uses:
            lot: Key = ("lot", use.lot_id)
            if use.kind == PRODUCED:
                graph.link(lot, ("batch", use.batch_id), use, found)
            elif use.container_id is None:
                graph.link(("batch", use.batch_id), lot, use, found)
            else:
                container: Key = ("container", use.container_id)
                graph.link(("batch", use.batch_id), container, use, found)
                graph.link(container, lot, None, found)
        frontier = found
    return graph


async def _uses(session: AsyncSession, *conditions: ColumnElement[bool]) -> list[MaterialUse]:
    query = select(MaterialUse).where(or_(*conditions)).order_by(MaterialUse.at, MaterialUse.id)
    return list((await session.scalars(query)).all())
