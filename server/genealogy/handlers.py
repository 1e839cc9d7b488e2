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
    steps: list[str]
    step_titles: list[str] = Field(description="The procedure's titles of `steps`, in order.")


class RecallOut(BaseModel):
    lot: LotOut
    affected: list[AffectedBatchOut]
    message: str


@api.route(
    "GET",
    "/trace/batches/{ref}",
    summary="Backward trace: batch → containers → lots → supplier lots",
    roles=EVERYONE,
    response=TraceOut,
)
async def trace_batch(call: Call[None]) -> TraceOut:
    tree = await genealogy.backward(call.session, call.param("ref"))
    return TraceOut(direction="backward", tree=tree.to_json())


@api.route(
    "GET",
    "/trace/lots/{ref}",
    summary="Forward trace: lot → containers → batches",
    roles=EVERYONE,
    response=TraceOut,
)
async def trace_lot(call: Call[None]) -> TraceOut:
    tree = await genealogy.forward(call.session, call.param("ref"))
    return TraceOut(direction="forward", tree=tree.to_json())


@api.route(
    "GET",
    "/trace/lots/{ref}/recall",
    summary="Recall impact: every batch a lot reached, with its status",
    roles=EVERYONE,
    response=RecallOut,
)
async def recall(call: Call[None]) -> RecallOut:
    lot, affected = await genealogy.recall_impact(call.session, call.param("ref"))
    batches = [
        AffectedBatchOut(
            **vars(item) | {"steps": list(item.steps), "step_titles": list(item.step_titles)}
        )
        for item in affected
    ]
    message = (
        f"Lot {lot.lot_number} reached {len(batches)} batch(es)."
        if batches
        else f"Lot {lot.lot_number} has not been used in any batch."
    )
    return RecallOut(lot=LotOut.of(lot), affected=batches, message=message)
