"""Trace endpoints: backward from a batch, forward from a lot, recall impact of a lot."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from server.auth.roles import EVERYONE
from server.genealogy import service as genealogy
from server.materials.schemas import LotOut
from server.web.api import Api, Call

api = Api("genealogy")


class TraceOut(BaseModel):
    direction: str
    tree: dict[str, Any]


class AffectedBatchOut(BaseModel):
    batch_id: str
    batch_number: str
    status: str
    procedure: str
    level: int = Field(description="1: the batch used the lot itself; 2: a lot made from it...")
    via: str = Field(description="The lot or container number through which it was reached.")
    steps: list[str] = Field(description="Ids of the steps that used the material.")
    step_titles: list[str] = Field(description="Those steps' titles, for people to read.")


class RecallOut(BaseModel):
    lot: LotOut
    affected: list[AffectedBatchOut]
    lots: list[LotOut] = Field(description="Lots produced downstream, which the recall reaches.")
    message: str


@api.route(
    "GET",
    "/trace/batches/{ref}",
    summary="Backward trace, every level: batch → containers → lots → producing batches or "
    "supplier lots → ...",
    roles=EVERYONE,
    response=TraceOut,
)
async def trace_batch(call: Call[None]) -> TraceOut:
    tree = await genealogy.backward(call.session, call.param("ref"))
    return TraceOut(direction="backward", tree=tree.to_json())


@api.route(
    "GET",
    "/trace/lots/{ref}",
    summary="Forward trace, every level: lot → containers → batches → lots they produced → ...",
    roles=EVERYONE,
    response=TraceOut,
)
async def trace_lot(call: Call[None]) -> TraceOut:
    tree = await genealogy.forward(call.session, call.param("ref"))
    return TraceOut(direction="forward", tree=tree.to_json())


@api.route(
    "GET",
    "/trace/lots/{ref}/recall",
    summary="Recall impact: every batch a lot reached at any level, and the lots made from it",
    roles=EVERYONE,
    response=RecallOut,
)
async def recall(call: Call[None]) -> RecallOut:
    impact = await genealogy.recall_impact(call.session, call.param("ref"))
    batches = [AffectedBatchOut(**item.to_json()) for item in impact.affected]
    number = impact.lot.lot_number
    if batches:
        deepest = max(item.level for item in batches)
        message = (
            f"Lot {number} reached {len(batches)} batch(es) over {deepest} level(s) "
            f"and {len(impact.lots)} lot(s) made from it."
        )
    else:
        message = f"Lot {number} has not been used in any batch."
    return RecallOut(
        lot=LotOut.of(impact.lot),
        affected=batches,
        lots=[LotOut.of(lot) for lot in impact.lots],
        message=message,
    )
