"""Review by exception: only what departed from the procedure, each marked with an e-signature."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient
from tests.quality.review_support import finished_batch


def _by_kind(review: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for item in review["items"]:
        kinds.setdefault(item["kind"], []).append(item)
    return kinds


async def test_review_lists_each_exception_with_its_step_limits_and_who(api: ApiClient) -> None:
    batch = await finished_batch(api)

    answer = await api.get(f"/batches/{batch['id']}/review", "quinn")

    assert answer.status == 200, answer.body
    review = answer.body
    kinds = _by_kind(review)
    alert = next(i for i in kinds["deviation"] if i["deviation_kind"] == "alert_limit")
    assert alert["id"] == f"deviation:{alert['deviation_id']}"
    assert (alert["step_id"], alert["step_title"]) == ("weigh", "Weigh the granules")
    assert (alert["field"], alert["value"], alert["unit"]) == ("net_kg", 10.7, "kg")
    assert alert["limits"] == {"min": 9.0, "max": 11.0, "alert_min": 9.5, "alert_max": 10.5}
    assert alert["deviation_status"] == "open" and alert["by"]["username"] == "olivia"
    [correction] = kinds["correction"]
    assert correction["id"].startswith("correction:")
    assert (correction["old_value"], correction["new_value"]) == (10.0, 10.2)
    assert correction["reason"] == "Transcription error: scale ticket 10.2"
    assert correction["by"] == {"username": "olivia", "full_name": correction["by"]["full_name"]}
    assert correction["limits"] == {"min": 0.0, "max": 20.0} and correction["unit"] == "kg"
    assert review["exceptions"] == len(review["items"]) == review["unreviewed"]
    assert review["incomplete_steps"] == [] and review["ready"] is False
    assert all(item["reviewed"] is None for item in review["items"])


async def test_data_points_count_values_signatures_and_material_uses(api: ApiClient) -> None:
    batch = await finished_batch(api)

    review = (await api.get(f"/batches/{batch['id']}/review", "quinn")).body
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body

    revisions = sum(len(step["history"]) for step in record["steps"])
    signatures = sum(len(step["signatures"]) for step in record["steps"])
    assert review["data_points"] == revisions + signatures  # test-line uses no lots
    assert 0 < review["exceptions"] < review["data_points"]


async def test_a_manual_weight_is_an_item_with_its_target_window(api: ApiClient) -> None:
    await approved_procedure(api, "dispense_line.yaml")
    batch = await started_batch(api, "dispense-line", batch_size_kg=4.0)
    scanned = await complete(api, batch["id"], "scan_balance", values={"balance_id": "EQ-BAL-01"})
    assert scanned.status == 200, scanned.body
    weighed = await complete(
        api,
        batch["id"],
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": "MCC-2611-01", "mcc_kg": 2.001},
        comment="Balance display fault: weighed on the reference balance",
    )
    assert weighed.status == 200, weighed.body

    review = (await api.get(f"/batches/{batch['id']}/review", "quinn")).body

    [manual] = _by_kind(review)["manual_weight"]
    assert (manual["step_id"], manual["field"], manual["value"]) == ("weigh_mcc", "mcc_kg", 2.001)
    assert manual["unit"] == "kg" and manual["limits"] == {"min": 1.98, "max": 2.02}
    assert manual["step_title"] == "Dispense cellulose"
    assert {"step_id": "done", "title": "Close the booth", "state": "active"} in review[
        "incomplete_steps"
    ]
    assert any("Close the booth" in reason for reason in review["blocking"])
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    values = sum(len(step["history"]) for step in record["steps"])
    assert review["data_points"] > values, "the lot the step used counts as a data point"


async def test_a_refused_signature_on_the_batch_is_an_item(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    for step_id, body in [
        ("clearance", {"values": {"area_clean": True}}),
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
    ]:
        assert (await complete(api, batch["id"], step_id, **body)).status == 200
    refused = await complete(
        api, batch["id"], "verify_weigh", signature=signature("olivia", "verified")
    )
    assert refused.status == 403

    review = (await api.get(f"/batches/{batch['id']}/review", "quinn")).body

    [item] = _by_kind(review)["signature_refused"]
    assert item["step_id"] == "verify_weigh" and "olivia" in item["detail"]
    assert item["id"].startswith("signature_refused:")


async def test_marking_an_item_reviewed_takes_a_qa_signature_meaning_reviewed(
    api: ApiClient,
) -> None:
    batch = await finished_batch(api)
    path = f"/batches/{batch['id']}/review"
    before = (await api.get(path, "quinn")).body
    item_id = before["items"][0]["id"]

    wrong_meaning = await api.post(
        f"{path}/{item_id}", "quinn", {"signature": signature("quinn", "approved")}
    )
    by_operator = await api.post(
        f"{path}/{item_id}", "olivia", {"signature": signature("olivia", "reviewed")}
    )
    signed_by_supervisor = await api.post(
        f"{path}/{item_id}", "quinn", {"signature": signature("sam", "reviewed")}
    )
    unchanged = (await api.get(path, "quinn")).body
    marked = await api.post(
        f"{path}/{item_id}",
        "quinn",
        {"signature": signature("quinn", "reviewed"), "comment": "Within validated range"},
    )
    again = await api.post(
        f"{path}/{item_id}", "quinn", {"signature": signature("quinn", "reviewed")}
    )
    unknown = await api.post(
        f"{path}/deviation:no-such-id", "quinn", {"signature": signature("quinn", "reviewed")}
    )

    assert wrong_meaning.status == 422
    assert wrong_meaning.body["errors"][0]["field"] == "signature.meaning"
    assert by_operator.status == 403
    assert signed_by_supervisor.status == 403
    assert unchanged["unreviewed"] == before["unreviewed"]
    assert unchanged["exceptions"] == before["exceptions"], "the reviewer's refusals are no items"
    assert marked.status == 200, marked.body
    item = next(i for i in marked.body["items"] if i["id"] == item_id)
    assert item["reviewed"]["by"]["username"] == "quinn"
    assert item["reviewed"]["meaning"] == "reviewed"
    assert item["reviewed"]["comment"] == "Within validated range"
    assert marked.body["unreviewed"] == before["unreviewed"] - 1
    assert again.status == 409
    assert unknown.status == 404
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    [entry] = [e for e in audit if e["action"] == "review.marked"]
    assert entry["new"]["item_id"] == item_id and entry["reason"] == "Within validated range"
    applied = [e for e in audit if e["action"] == "signature.applied"]
    assert applied[-1]["new"]["meaning"] == "reviewed"
