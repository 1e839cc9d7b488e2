"""The demo's floor balance: a simulated MT-SICS balance behind EQ-BAL-01, and a demo-only
endpoint that puts a load on its pan, standing in for the operator's hands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

from aiohttp import web
from pydantic import BaseModel, Field

from server.auth.roles import SHOP_FLOOR
from server.balances.simulator import SimulatedBalance, serve_balance
from server.demo_inventory import DEMO_BALANCE_HOST
from server.web.api import Api, Call
from server.web.keys import SETTINGS
from server.web.schemas import Strict

DEMO_BALANCE = web.AppKey("demo_balance", SimulatedBalance)
api = Api("demo")


class LoadIn(Strict):
    load: Decimal = Field(ge=0, le=60, description="Gross load on the pan, in kg.")


class PanOut(BaseModel):
    gross: Decimal
    net: Decimal
    unit: str


async def run_demo_balance(app: web.Application) -> AsyncIterator[None]:
    """Serve the simulated balance on the port EQ-BAL-01 is registered with."""
    port = app[SETTINGS].demo_balance_port
    balance = SimulatedBalance(
        "DEMO-BAL-01", unit="kg", capacity=Decimal("60"), decimals=3, settle_seconds=0.5
    )
    app[DEMO_BALANCE] = balance
    try:
        async with serve_balance(balance, DEMO_BALANCE_HOST, port):
            print(
                f"Simulated balance EQ-BAL-01 (MT-SICS) on {DEMO_BALANCE_HOST}:{port}", flush=True
            )
            yield
    except OSError as exc:
        print(f"Simulated balance not started ({exc.strerror}); weigh manually.", flush=True)
        yield


@api.route(
    "POST",
    "/demo/balance",
    summary="Demo only: put a load on the simulated balance EQ-BAL-01",
    roles=SHOP_FLOOR,
    body=LoadIn,
    response=PanOut,
)
async def place_load(call: Call[LoadIn]) -> PanOut:
    balance = call.request.app[DEMO_BALANCE]
    balance.place(call.body.load)
    return PanOut(gross=balance.gross, net=balance.net, unit=balance.unit)
