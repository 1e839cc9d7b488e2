"""Dispensing as the booth does it: labels printed, photographed, scanned, weighed, traced.

Receive two lots (one released, one quarantined), print their labels, photograph them,
scan the balance and the lots from the photos in a dispense step with a simulated MT-SICS
balance, dispense, label the container, and trace forward and backward.
"""

from __future__ import annotations

import asyncio
import io
from decimal import Decimal

from media.codes import decode_image
from media.gs1 import parse_gs1
from media.synthetic import photograph
from server.balances.simulator import SimulatedBalance, serve_balance
from server.clock import utcnow
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.api.traceability import clean_balance, received_lot
from tests.client import ApiClient


async def _label(api: ApiClient, path: str) -> bytes:
    async with api.client.get(
        f"/api/v1{path}/label", headers={"Authorization": f"Bearer {await api.token('olivia')}"}
    ) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        return await response.read()


async def _scan_photo(api: ApiClient, png: bytes, seed: int) -> dict:
    """Photograph a label (perspective, blur, clutter) and scan the photo through the API."""
    photo = photograph(png, seed=seed)
    answer = await api.call("POST", "/scans", "olivia", data={"image": io.BytesIO(photo)})
    assert answer.status == 200, answer.body
    return answer.body


def _known(scan: dict, kind: str) -> dict:
    found = [code for code in scan["codes"] if code["resolves_to"]]
    assert found, scan
    assert {code["resolves_to"]["kind"] for code in found} == {kind}
    return found[0]


async def test_dispense_from_photographed_labels_and_trace_both_ways(api: ApiClient) -> None:
    released = await received_lot(api, released=True)
    quarantined = await received_lot(api, released=False)
    scale = SimulatedBalance(
        "B-TEST-1", unit="kg", capacity=Decimal(60), decimals=3, settle_seconds=0.05
    )
    async with serve_balance(scale) as (host, port):
        await clean_balance(api, "EQ-BAL-T1", f"{host}:{port}")
        await approved_procedure(api, "dispense_line.yaml")
        batch = await started_batch(api, "dispense-line", batch_size_kg=4.0)
        batch_id = batch["id"]

        balance_scan = _known(
            await _scan_photo(api, await _label(api, "/equipment/EQ-BAL-T1"), 1), "equipment"
        )
        assert balance_scan["resolves_to"]["code"] == "EQ-BAL-T1"
        answer = await complete(
            api, batch_id, "scan_balance", values={"balance_id": balance_scan["text"]}
        )
        assert answer.status == 200, answer.body

        bad = _known(
            await _scan_photo(api, await _label(api, f"/lots/{quarantined['lot_number']}"), 2),
            "lot",
        )
        assert bad["resolves_to"]["status"] == "quarantine"
        good = _known(
            await _scan_photo(api, await _label(api, f"/lots/{released['lot_number']}"), 3), "lot"
        )
        assert good["resolves_to"]["code"] == released["lot_number"]

        scale.place(Decimal("0.350"))  # the empty container
        await asyncio.sleep(0.06)
        tared = await api.post("/equipment/EQ-BAL-T1/tare", "olivia")
        assert tared.status == 200, tared.body
        scale.place(Decimal("2.351"))  # container + 2.001 kg of cellulose

        refused = await complete(
            api, batch_id, "weigh_mcc", values={"balance": balance_scan["text"], "lot": bad["text"]}
        )
        assert refused.status == 422, refused.body
        assert refused.body["errors"][0]["code"] == "quarantined"
        assert "quarantine" in refused.body["detail"]

        done = await complete(
            api,
            batch_id,
            "weigh_mcc",
            values={"balance": balance_scan["text"], "lot": good["text"]},
        )
        assert done.status == 200, done.body
        container = done.body["container"]
        assert container["lot_number"] == released["lot_number"]
        assert container["number"] == f"EXC-0101-{utcnow():%y%m%d}-C001"
        assert Decimal(container["quantity"]) == Decimal("2.001")
        assert container["source"] == "balance"

    lot = await api.get(f"/lots/{released['lot_number']}", "olivia")
    assert Decimal(lot.body["quantity"]) == Decimal("22.999")
    untouched = await api.get(f"/lots/{quarantined['lot_number']}", "olivia")
    assert Decimal(untouched.body["quantity"]) == Decimal("25")

    codes = decode_image(await _label(api, f"/containers/{container['number']}"))
    gs1 = next(parse_gs1(code.text) for code in codes if code.is_gs1)
    assert (gs1.lot, gs1.serial, gs1.gtin) == (
        released["lot_number"],
        container["number"],
        released["material"]["gtin"],
    )

    record = await api.get(f"/batches/{batch_id}", "quinn")
    weigh = next(step for step in record.body["steps"] if step["step_id"] == "weigh_mcc")
    assert weigh["values"]["mcc_kg"] == 2.001
    assert weigh["sources"]["mcc_kg"] == "balance"
    assert weigh["values"]["mcc_kg_container"] == container["number"]
    assert weigh["values"]["mcc_kg_lot"] == released["lot_number"]

    forward = (await api.get(f"/trace/lots/{released['lot_number']}", "quinn")).body["tree"]
    # Forward: the lot → the batch that dispensed it → the container it made.
    assert [child["code"] for child in forward["children"]] == [batch["batch_number"]]
    assert forward["children"][0]["children"][0]["code"] == container["number"]
    used_at = forward["children"][0]["detail"]
    assert (used_at["step_id"], used_at["step"]) == ("weigh_mcc", "Dispense cellulose")
    backward = (await api.get(f"/trace/batches/{batch_id}", "quinn")).body["tree"]
    made_at = backward["children"][0]["detail"]
    assert (made_at["step_id"], made_at["step"]) == ("weigh_mcc", "Dispense cellulose")
    lot_node = backward["children"][0]["children"][0]
    assert lot_node["code"] == released["lot_number"]
    assert lot_node["children"][0]["code"] == "AV-0001"
    recall = (await api.get(f"/trace/lots/{released['lot_number']}/recall", "quinn")).body
    assert [(b["batch_number"], b["status"]) for b in recall["affected"]] == [
        (batch["batch_number"], "in_progress")
    ]
    assert recall["affected"][0]["step_titles"] == ["Dispense cellulose"]
    audit = await api.get("/audit/verify", "quinn")
    assert audit.body["ok"] is True
