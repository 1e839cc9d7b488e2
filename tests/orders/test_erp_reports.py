"""What goes back to the ERP and partners by webhook: an order's consumption and yield when
its batch completes, and every lot's events in order; and the material master and lots the
ERP sends, imported once."""

from __future__ import annotations

import pytest

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.api.genealogy_chain import output_lot
from tests.client import ApiClient
from tests.orders.documents import material_information, order_json
from tests.webhooks.receiver import Receiver

XML = {"Content-Type": "application/xml"}


async def _subscribe(site: ApiClient, url: str, types: list[str]) -> str:
    answer = await site.post("/webhooks", "ada", {"url": url, "event_types": types})
    assert answer.status == 201, answer.body
    return answer.body["secret"]


async def _dispensed_container(site: ApiClient) -> str:
    """2 kg of cellulose from lot MCC-2611-01, dispensed into a container."""
    await approved_procedure(site, "dispense_line.yaml")
    batch = await started_batch(site, "dispense-line", batch_size_kg=4.0)
    done = await complete(site, batch["id"], "scan_balance", values={"balance_id": "EQ-BAL-01"})
    assert done.status == 200, done.body
    weighed = await complete(
        site, batch["id"], "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": "MCC-2611-01", "mcc_kg": 2.0},
    )  # fmt: skip
    assert weighed.status == 200, weighed.body
    assert (await complete(site, batch["id"], "done", values={})).status == 200
    return weighed.body["container"]["number"]


async def test_a_completed_order_is_reported_by_webhook_with_consumption_and_yield(
    site: ApiClient, receiver: Receiver
) -> None:
    container = await _dispensed_container(site)
    await approved_procedure(site, "chain_granulation.yaml")
    secret = await _subscribe(site, receiver.url, ["order"])
    assert (await site.post("/orders", "sam", order_json("PO-7001", "G-7001"))).status == 200
    order = (await site.post("/orders/PO-7001/start", "sam")).body
    batch_id = order["batch_id"]
    assert (await site.post(f"/batches/{batch_id}/start", "olivia")).status == 200
    charged = await complete(
        site, batch_id, "charge",
        values={"mcc_container": container, "lactose_lot": "LAC-2611-01"},
    )  # fmt: skip
    assert charged.status == 200, charged.body
    assert (await complete(site, batch_id, "discharge", values={"blend_kg": 3.9})).status == 200

    started, completed = await receiver.wait_for(2, secret)
    assert (started["status"], started["batch_id"]) == ("started", batch_id)
    assert completed["status"] == "completed" and completed["order_number"] == "PO-7001"
    assert completed["seq"] > started["seq"]
    consumed = {item["lot_number"]: item for item in completed["consumed"]}
    assert consumed["MCC-2611-01"]["quantity"] == "2.000" or float(
        consumed["MCC-2611-01"]["quantity"]
    ) == pytest.approx(2.0)
    assert consumed["LAC-2611-01"].get("quantity") is None  # scanned, not weighed
    blend = await output_lot(site, "G-7001", "STW-101-FB")
    assert [(p["lot_number"], float(p["quantity"])) for p in completed["produced"]] == [
        (blend["lot_number"], 3.9)
    ]
    assert completed["yield_pct"] == pytest.approx(97.5)
    assert (await site.get("/orders/PO-7001", "sam")).body["status"] == "completed"


async def test_lot_events_arrive_by_webhook_in_order_per_lot(
    site: ApiClient, receiver: Receiver
) -> None:
    secret = await _subscribe(site, receiver.url, ["lot"])
    document = material_information("EXC-0777", "09506000130200", "TLC-2612-01")
    imported = await site.call("POST", "/materials/import", "quinn", data=document, headers=XML)
    assert imported.status == 200, imported.body
    for status, meaning in (("rejected", "reviewed"), ("quarantine", "reviewed"),
                            ("released", "released")):  # fmt: skip
        answer = await site.post(
            "/lots/TLC-2612-01/status", "quinn",
            {"status": status, "reason": "ERP test", "signature": signature("quinn", meaning)},
        )  # fmt: skip
        assert answer.status == 200, answer.body

    events = await receiver.wait_for(4, secret)
    assert [(e["lot_number"], e["change"], e["seq"]) for e in events] == [
        ("TLC-2612-01", "received", 1),
        ("TLC-2612-01", "rejected", 2),
        ("TLC-2612-01", "quarantined", 3),
        ("TLC-2612-01", "released", 4),
    ]
    ids = [item.headers["webhook-id"] for item in receiver.received]
    assert ids[0] == f"{imported.body['lots'][0]['id']}.1"


async def test_the_material_master_and_lots_are_imported_once(api: ApiClient) -> None:
    body = {
        "materials": [{"code": "EXC-0888", "name": "Silica, colloidal", "gtin": "09506000130217"}],
        "lots": [{
            "lot_number": "SIL-2612-01", "material": "EXC-0888", "supplier": "Evonik",
            "supplier_lot": "EV-1", "quantity": "10", "expiry": "2029-01-31",
        }],
    }  # fmt: skip
    first = await api.post("/materials/import", "quinn", body)
    assert first.status == 200, first.body
    assert (first.body["materials_created"], first.body["lots_created"]) == (1, 1)
    assert first.body["lots"][0]["status"] == "quarantine"
    again = await api.post("/materials/import", "quinn", body)
    assert (again.body["materials_unchanged"], again.body["lots_unchanged"]) == (1, 1)
    assert len((await api.get("/lots?material=EXC-0888", "quinn")).body) == 1
    body["lots"][0]["supplier_lot"] = "EV-2"
    clash = await api.post("/materials/import", "quinn", body)
    assert clash.status == 409 and "SIL-2612-01" in clash.body["detail"]

    xml = material_information("EXC-0999", "09506000130224", "TLC-2612-09")
    answer = await api.call("POST", "/materials/import", "quinn", data=xml, headers=XML)
    assert answer.status == 200, answer.body
    assert answer.body["materials"][0]["gtin"] == "09506000130224"
    broken = xml.replace(b"<ID>ExpirationDate</ID>", b"<ID>BestBefore</ID>")
    refused = await api.call("POST", "/materials/import", "quinn", data=broken, headers=XML)
    assert refused.status == 422
    assert refused.body["errors"][0]["field"] == (
        "MaterialInformation/MaterialLot/MaterialLotProperty[ID=ExpirationDate]"
    )


async def test_a_refused_material_import_leaves_nothing_behind(api: ApiClient) -> None:
    body = {
        "materials": [{"code": "EXC-0666", "name": "Stearic acid"}],
        "lots": [{
            "lot_number": "STA-2612-01", "material": "EXC-NONE", "supplier": "Baerlocher",
            "supplier_lot": "BL-1", "quantity": "5", "expiry": "2029-01-31",
        }],
    }  # fmt: skip
    refused = await api.post("/materials/import", "quinn", body)
    assert refused.status == 422, refused.body
    assert refused.body["errors"][0]["field"] == "lots.0.material"
    codes = [m["code"] for m in (await api.get("/materials", "quinn")).body]
    assert "EXC-0666" not in codes
    assert (await api.post("/materials/import", "olivia", body)).status == 403
