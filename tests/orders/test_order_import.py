"""Production orders from the ERP, as JSON and as B2MML: imported once, refused clearly,
and a batch started from one by a supervisor."""

from __future__ import annotations

import pytest

from tests.api.fixtures import approved_procedure
from tests.client import ApiClient
from tests.orders.documents import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    order_json,
    production_schedule,
)

XML = {"Content-Type": "application/xml"}


@pytest.fixture
async def granulation(api: ApiClient) -> None:
    await approved_procedure(api, "chain_granulation.yaml")


async def _orders(api: ApiClient) -> list[dict]:
    return (await api.get("/orders", "sam")).body


async def test_a_json_order_is_imported_once_and_a_supervisor_starts_its_batch(
    api: ApiClient, granulation: None
) -> None:
    order = order_json("PO-1001", "G-1001")
    first = await api.post("/orders", "sam", order)
    assert first.status == 200, first.body
    assert (first.body["created"], first.body["unchanged"]) == (1, 0)
    again = await api.post("/orders", "sam", {"orders": [order]})
    assert (again.body["created"], again.body["unchanged"]) == (0, 1)
    assert [o["order_number"] for o in await _orders(api)] == ["PO-1001"]

    changed = await api.post("/orders", "sam", order_json("PO-1001", "G-1001", unit="g"))
    assert changed.status == 409 and "PO-1001" in changed.body["detail"]

    started = await api.post("/orders/PO-1001/start", "sam")
    assert started.status == 200, started.body
    assert started.body["status"] == "started"
    batch = (await api.get(f"/batches/{started.body['batch_id']}", "sam")).body
    assert batch["batch_number"] == "G-1001" and batch["status"] == "created"
    assert (batch["procedure"]["key"], batch["procedure"]["version"]) == ("chain-granulation", 1)
    again = await api.post("/orders/PO-1001/start", "sam")
    assert again.status == 409
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert "order.started" in [entry["action"] for entry in trail]


async def test_an_operator_may_not_start_an_order(api: ApiClient, granulation: None) -> None:
    assert (await api.post("/orders", "sam", order_json("PO-1", "G-1"))).status == 200
    assert (await api.post("/orders/PO-1/start", "olivia")).status == 403


async def test_a_b2mml_production_schedule_imports_each_request(
    api: ApiClient, granulation: None
) -> None:
    schedule = production_schedule(("PO-2001", "G-2001"), ("PO-2002", "G-2002"))
    answer = await api.call("POST", "/orders", "ada", data=schedule, headers=XML)
    assert answer.status == 200, answer.body
    assert answer.body["created"] == 2
    order = (await api.get("/orders/PO-2002", "sam")).body
    assert (order["source"], order["batch_number"], order["product"]) == (
        "b2mml", "G-2002", "STW-101-FB",
    )  # fmt: skip
    assert order["materials"] == [
        {"material": "EXC-0204", "lot_number": "LAC-2611-01", "quantity": "1500", "unit": "g"}
    ]
    again = await api.call("POST", "/orders", "ada", data=schedule, headers=XML)
    assert (again.body["created"], again.body["unchanged"]) == (0, 2)


@pytest.mark.parametrize(
    ("document", "field", "code"),
    [
        (b"<ProductionSchedule><ProductionRequest>", "line 1, column 39", "malformed_xml"),
        (BILLION_LAUGHS, "document", "entities_refused"),
        (EXTERNAL_ENTITY, "document", "entities_refused"),
        (
            production_schedule(("PO-3001", "G-3001")).replace(
                b"<ProductProductionRuleID>chain-granulation</ProductProductionRuleID>", b""
            ),
            "ProductionSchedule/ProductionRequest/ProductProductionRuleID",
            "missing",
        ),
        (b"<MaterialLot/>", "MaterialLot", "unknown_root"),
    ],
)
async def test_a_bad_b2mml_document_is_refused_naming_the_element(
    api: ApiClient, granulation: None, document: bytes, field: str, code: str
) -> None:
    answer = await api.call("POST", "/orders", "ada", data=document, headers=XML)
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["field"] == field
    assert answer.body["errors"][0]["code"] == code
    assert await _orders(api) == []


async def test_an_order_naming_what_does_not_exist_is_refused_whole(
    api: ApiClient, granulation: None
) -> None:
    good = order_json("PO-4001", "G-4001")
    bad = order_json("PO-4002", "G-4002", materials=[{"material": "EXC-0204", "lot": "NOPE-1",
                                                       "quantity": "1"}])  # fmt: skip
    answer = await api.post("/orders", "sam", {"orders": [good, bad]})
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["field"] == "orders.1.materials.0.lot"
    xml = production_schedule(("PO-4003", "G-4003")).replace(b"LAC-2611-01", b"MCC-2611-01")
    answer = await api.call("POST", "/orders", "ada", data=xml, headers=XML)
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["field"].endswith("MaterialConsumedRequirement/MaterialLotID")
    assert answer.body["errors"][0]["code"] == "wrong_material"
    missing = await api.post("/orders", "sam", {"order_number": "PO-4004"})
    assert missing.status == 422 and missing.body["errors"][0]["field"] == "product"
    assert await _orders(api) == []


async def test_a_batch_is_not_started_while_a_reserved_lot_is_in_quarantine(
    api: ApiClient, granulation: None
) -> None:
    order = order_json("PO-5001", "G-5001", materials=[
        {"material": "EXC-0101", "lot": "MCC-2611-02", "quantity": "1"}])  # fmt: skip
    assert (await api.post("/orders", "sam", order)).status == 200
    refused = await api.post("/orders/PO-5001/start", "sam")
    assert refused.status == 422, refused.body
    assert refused.body["errors"][0]["field"] == "reservations[0].lot"
    assert "MCC-2611-02" in refused.body["errors"][0]["message"]
    assert (await api.get("/orders/PO-5001", "sam")).body["status"] == "planned"
    too_much = order_json("PO-5002", "G-5002", materials=[
        {"material": "EXC-0204", "lot": "LAC-2611-01", "quantity": "51"}])  # fmt: skip
    assert (await api.post("/orders", "sam", too_much)).status == 200
    refused = await api.post("/orders/PO-5002/start", "sam")
    assert refused.status == 422
    assert refused.body["errors"][0]["code"] == "insufficient_quantity"
