"""A weighing waits for the balance with no transaction open: the rest of the server goes on."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from server.balances.simulator import SimulatedBalance, serve_balance
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.api.traceability import clean_balance, received_lot
from tests.client import ApiClient

SETTLE_SECONDS = 3.0


async def test_another_batch_completes_a_step_while_a_balance_is_still_settling(
    api: ApiClient,
) -> None:
    lot = await received_lot(api, released=True)
    scale = SimulatedBalance(
        "B-SLOW-1", unit="kg", capacity=Decimal(60), decimals=3, settle_seconds=SETTLE_SECONDS
    )
    async with serve_balance(scale) as (host, port):
        await clean_balance(api, "EQ-BAL-SLOW", f"{host}:{port}")
        await approved_procedure(api, "dispense_line.yaml")
        await approved_procedure(api, "test_line.yaml")
        dispensing = (await started_batch(api, "dispense-line", batch_size_kg=4.0))["id"]
        other = (await started_batch(api))["id"]
        scanned = await complete(
            api, dispensing, "scan_balance", values={"balance_id": "EQ-BAL-SLOW"}
        )
        assert scanned.status == 200, scanned.body

        scale.place(Decimal("2.001"))  # the pan moves for SETTLE_SECONDS
        weighing = asyncio.create_task(
            complete(
                api,
                dispensing,
                "weigh_mcc",
                values={"balance": "EQ-BAL-SLOW", "lot": lot["lot_number"]},
            )
        )
        await asyncio.sleep(0.3)  # the weighing request is in, waiting for a stable reading
        elsewhere = await complete(api, other, "clearance", values={"area_clean": True})

        assert elsewhere.status == 200, elsewhere.body
        assert not weighing.done(), "the other batch's step waited for the balance"
        weighed = await weighing
        assert weighed.status == 200, weighed.body
        assert Decimal(weighed.body["container"]["quantity"]) == Decimal("2.001")
