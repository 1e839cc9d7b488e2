"""Scans refuse what may not be used, with the reason; dispensing records facts, not typing."""

from __future__ import annotations

import asyncio
import io
from decimal import Decimal

import cv2

from media.synthetic import empty_scene
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.api.traceability import clean_balance, cleaning, closed_port, received_lot
from tests.client import ApiClient


async def _dispensing_batch(api: ApiClient) -> str:
    await approved_procedure(api, "dispense_line.yaml")
    batch = await started_batch(api, "dispense-line", batch_size_kg=4.0)
    return batch["id"]


async def _step_state(api: ApiClient, batch_id: str, step_id: str) -> str:
    record = await api.get(f"/batches/{batch_id}", "olivia")
    return next(s["state"] for s in record.body["steps"] if s["step_id"] == step_id)


async def test_scanning_text_says_what_a_code_is_or_that_it_is_unknown(api: ApiClient) -> None:
    known = await api.post("/scans", "olivia", {"text": "stepwise:equipment:EQ-PRESS-01"})
    unknown = await api.post("/scans", "olivia", {"text": "NOT-OURS-42"})
    gs1 = await api.post("/scans", "olivia", {"text": "(01)09506000130118(10)MCC-2611-01"})

    assert known.status == 200, known.body
    assert known.body["codes"][0]["resolves_to"]["kind"] == "equipment"
    assert known.body["codes"][0]["resolves_to"]["status"] == "clean"
    assert unknown.status == 200
    assert unknown.body["codes"][0]["resolves_to"] is None
    assert "no equipment, lot or container" in unknown.body["message"]
    assert gs1.body["codes"][0]["resolves_to"]["code"] == "MCC-2611-01"
    assert gs1.body["codes"][0]["gs1"]["gtin"] == "09506000130118"


async def test_bad_scan_input_is_refused_clearly_and_never_a_500(api: ApiClient) -> None:
    malformed = await api.post("/scans", "olivia", {"text": "(01)09506000130119(10)X"})
    not_image = await api.call(
        "POST", "/scans", "olivia", data={"image": io.BytesIO(b"hello, not a photo")}
    )
    empty = await api.call("POST", "/scans", "olivia", data={"image": io.BytesIO(b"")})
    huge = await api.call(
        "POST", "/scans", "olivia", data={"image": io.BytesIO(b"\0" * (50 * 1024 * 1024))}
    )
    no_field = await api.call("POST", "/scans", "olivia", data={"photo": io.BytesIO(b"x")})

    assert malformed.status == 422 and "check digit" in malformed.body["detail"].lower()
    assert not_image.status == 422 and not_image.body["errors"][0]["field"] == "image"
    assert empty.status == 422 and "empty" in empty.body["detail"]
    assert huge.status == 413
    assert no_field.status == 422 and "'image'" in no_field.body["detail"]


async def test_a_photo_without_a_code_is_an_empty_result_with_advice(api: ApiClient) -> None:
    ok, jpeg = cv2.imencode(".jpg", empty_scene(seed=7))
    assert ok

    answer = await api.call("POST", "/scans", "olivia", data={"image": io.BytesIO(jpeg.tobytes())})

    assert answer.status == 200, answer.body
    assert answer.body["codes"] == []
    assert answer.body["message"].startswith("No code found in the image.")


async def test_an_expired_clean_hold_is_refused_with_its_time(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    cleaned = await api.post(
        "/equipment/EQ-BAL-01/status", "olivia", cleaning("olivia", clean_hold_hours=0.0001)
    )
    assert cleaned.status == 200
    await asyncio.sleep(0.5)

    refused = await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})

    assert refused.status == 422
    assert refused.body["errors"][0]["code"] == "clean_hold_expired"
    assert cleaned.body["clean_until"][:19] in refused.body["detail"]


async def test_equipment_that_is_dirty_or_of_the_wrong_type_is_refused(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    dirty = await api.post(
        "/equipment/EQ-BAL-01/status", "olivia", {"status": "dirty", "reason": "spill"}
    )
    assert dirty.status == 200

    wrong_type = await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-PRESS-01"})
    not_clean = await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})

    assert wrong_type.status == 422
    assert wrong_type.body["errors"][0]["code"] == "wrong_type"
    assert "tablet press, not a balance" in wrong_type.body["detail"]
    assert not_clean.status == 422 and not_clean.body["errors"][0]["code"] == "not_clean"
    assert await _step_state(api, batch_id, "scan_balance") == "active"
    audit = await api.get(f"/batches/{batch_id}/audit", "quinn")
    refusals = [e for e in audit.body if e["action"] == "step.completion_refused"]
    assert len(refusals) == 2 and "dirty" in refusals[1]["reason"]


async def test_overdue_calibration_is_refused_with_its_date(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    overdue = await api.post(
        "/equipment/EQ-BAL-01/calibration", "quinn", {"due": "2020-01-31", "reason": "test"}
    )
    assert overdue.status == 200

    refused = await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})

    assert refused.status == 422
    assert refused.body["errors"][0]["code"] == "calibration_overdue"
    assert "2020-01-31" in refused.body["detail"]


async def test_wrong_material_and_rejected_lots_are_never_overridable(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    assert (
        await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})
    ).status == 200
    rejected = await received_lot(api, released=False)
    answer = await api.post(
        f"/lots/{rejected['lot_number']}/status",
        "quinn",
        {"status": "rejected", "reason": "OOS", "signature": signature("quinn", "reviewed")},
    )
    assert answer.status == 200, answer.body
    override = {"reason": "urgent", "signature": signature("sam", "approved")}

    wrong = await complete(
        api,
        batch_id,
        "weigh_mcc",
        override=override,
        values={"balance": "EQ-BAL-01", "lot": "LAC-2611-01", "mcc_kg": 2.0},
    )
    refused = await complete(
        api,
        batch_id,
        "weigh_mcc",
        override=override,
        values={"balance": "EQ-BAL-01", "lot": rejected["lot_number"], "mcc_kg": 2.0},
    )

    assert wrong.status == 422 and wrong.body["errors"][0]["code"] == "wrong_material"
    assert refused.status == 422 and refused.body["errors"][0]["overridable"] is False


async def test_a_supervisor_may_override_a_quarantined_lot_which_opens_a_deviation(
    api: ApiClient,
) -> None:
    batch_id = await _dispensing_batch(api)
    await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})
    values = {"balance": "EQ-BAL-01", "lot": "MCC-2611-02", "mcc_kg": 2.001}

    by_operator = await complete(
        api,
        batch_id,
        "weigh_mcc",
        values=values,
        override={"reason": "QA release pending", "signature": signature("omar", "approved")},
    )
    by_supervisor = await complete(
        api,
        batch_id,
        "weigh_mcc",
        values=values,
        comment="Weighed by hand: balance offline",
        override={"reason": "QA release pending", "signature": signature("sam", "approved")},
    )

    assert by_operator.status == 403
    assert by_supervisor.status == 200, by_supervisor.body
    deviation = by_supervisor.body["deviations"][0]
    assert (deviation["kind"], deviation["severity"]) == ("material_override", "major")
    assert "quarantine" in deviation["detail"] and "Sam Supervisor" in deviation["detail"]
    assert by_supervisor.body["container"]["source"] == "manual"


async def test_a_weight_outside_the_tolerance_blocks_and_changes_no_stock(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})

    heavy = await complete(
        api,
        batch_id,
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": "MCC-2611-01", "mcc_kg": 2.5},
    )
    await clean_balance(api, "EQ-BAL-OFF", f"127.0.0.1:{closed_port()}")
    offline = await complete(
        api, batch_id, "weigh_mcc", values={"balance": "EQ-BAL-OFF", "lot": "MCC-2611-01"}
    )

    assert heavy.status == 422
    assert heavy.body["errors"][0]["code"] == "above_max"
    assert "target 2.000 kg ± 1.0 %" in heavy.body["errors"][0]["message"]
    assert offline.status == 409 and "enter the weight manually" in offline.body["detail"]
    lot = await api.get("/lots/MCC-2611-01", "olivia")
    assert Decimal(lot.body["quantity"]) == Decimal("50")


async def test_taking_more_than_the_lot_holds_is_refused(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})
    small = await received_lot(api, released=True, quantity="1.5")

    answer = await complete(
        api,
        batch_id,
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": small["lot_number"], "mcc_kg": 2.0},
    )

    assert answer.status == 422
    assert answer.body["errors"][0]["code"] == "insufficient_quantity"


async def test_scanned_and_weighed_values_cannot_be_corrected_by_typing(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})

    answer = await api.post(
        f"/batches/{batch_id}/steps/scan_balance/correct",
        "olivia",
        {"values": {"balance_id": "EQ-BAL-02"}, "reason": "typo"},
    )

    assert answer.status == 422
    assert "raise a deviation" in answer.body["detail"]


async def test_equipment_is_in_use_during_the_batch_and_dirty_after(api: ApiClient) -> None:
    batch_id = await _dispensing_batch(api)
    await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})
    await complete(
        api,
        batch_id,
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": "MCC-2611-01", "mcc_kg": 2.0},
    )
    during = await api.get("/equipment/EQ-BAL-01", "olivia")
    other = await started_batch(api, "dispense-line", batch_size_kg=4.0)
    elsewhere = await complete(api, other["id"], "scan_balance", values={"balance_id": "EQ-BAL-01"})
    marked = await api.post(
        "/equipment/EQ-BAL-01/status", "sam", {"status": "maintenance", "reason": "Service visit"}
    )
    finished = await complete(api, batch_id, "done")
    after = await api.get("/equipment/EQ-BAL-01", "olivia")
    log = await api.get("/equipment/EQ-BAL-01/log", "olivia")

    assert (during.body["status"], during.body["in_use_by"]) == ("in_use", batch_id)
    assert elsewhere.status == 422 and elsewhere.body["errors"][0]["code"] == "in_use_elsewhere"
    using = (await api.get(f"/batches/{batch_id}", "olivia")).body["batch_number"]
    assert f"it is in use by batch {using}" in elsewhere.body["detail"]
    assert marked.status == 422, marked.body
    assert f"it is in use by batch {using}" in marked.body["detail"]  # names it too
    assert finished.body["batch_status"] == "completed"
    assert (after.body["status"], after.body["in_use_by"]) == ("dirty", None)
    events = [(entry["event"], entry["step_id"]) for entry in log.body if entry["batch_id"]]
    assert events == [("used", "scan_balance"), ("used", "weigh_mcc"), ("released", None)]


async def test_labels_come_as_png_and_pdf(api: ApiClient) -> None:
    headers = {"Authorization": f"Bearer {await api.token('olivia')}"}
    async with api.client.get("/api/v1/lots/MCC-2611-01/label?format=pdf", headers=headers) as r:
        pdf = await r.read()
        assert r.content_type == "application/pdf"
    async with api.client.get("/api/v1/equipment/EQ-BAL-01/label", headers=headers) as r:
        png = await r.read()
    wrong = await api.get("/lots/MCC-2611-01/label?format=gif", "olivia")

    assert pdf.startswith(b"%PDF")
    assert png.startswith(b"\x89PNG")
    assert wrong.status == 422 and "png or pdf" in wrong.body["detail"]
