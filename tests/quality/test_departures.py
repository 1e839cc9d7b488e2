"""Every departure from the procedure raises its deviation, through a real batch: a step
completed after its window, a weight typed instead of read from the balance, an e-signature
refused and then given by someone else."""

from __future__ import annotations

from typing import Any

from server.config import Settings
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient
from tests.quality.setup import activated_minutes_ago


def _kinds(answer: Any) -> list[tuple[str, str]]:
    assert answer.status == 200, answer.body
    return [(d["kind"], d["severity"]) for d in answer.body["deviations"]]


async def test_a_step_completed_after_its_window_raises_a_major_deviation(
    api: ApiClient, settings: Settings
) -> None:
    await approved_procedure(api, "window_line.yaml")
    batch = await started_batch(api, "window-line")
    await activated_minutes_ago(settings, batch["id"], "charge", 45)

    late = await complete(api, batch["id"], "charge")
    in_time = await complete(api, batch["id"], "label")

    assert _kinds(late) == [("step_window_missed", "major")]
    assert late.body["result"] == "alert"
    assert "within 30 minutes" in late.body["deviations"][0]["detail"]
    assert _kinds(in_time) == []
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    assert [(d["step_id"], d["kind"]) for d in record["deviations"]] == [
        ("charge", "step_window_missed")
    ]


async def test_a_weight_typed_instead_of_read_from_the_balance_raises_a_minor_deviation(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "dispense_line.yaml")
    batch = await started_batch(api, "dispense-line", batch_size_kg=4.0)
    await complete(api, batch["id"], "scan_balance", values={"balance_id": "EQ-BAL-01"})

    typed = await complete(
        api,
        batch["id"],
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": "MCC-2611-01", "mcc_kg": 2.001},
        comment="Balance printer jammed",
    )

    assert _kinds(typed) == [("manual_weight", "minor")]
    assert typed.body["container"]["source"] == "manual"
    [deviation] = typed.body["deviations"]
    assert "2.001 kg was typed" in deviation["detail"]
    assert (deviation["field"], deviation["value"]) == ("mcc_kg", 2.001)


async def _at_verification(api: ApiClient) -> str:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await complete(api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"})
    return batch["id"]


async def test_a_refused_signature_given_by_someone_else_raises_a_major_deviation(
    api: ApiClient,
) -> None:
    batch_id = await _at_verification(api)
    wrong = {**signature("sam", "verified"), "password": "not sam's password"}

    refused = await complete(api, batch_id, "verify_weigh", signature=wrong)
    retried = await complete(
        api, batch_id, "verify_weigh", signature=signature("quinn", "verified")
    )

    assert refused.status == 422 and refused.body["errors"][0]["field"].startswith("signature")
    assert _kinds(retried) == [("signature_retried", "major")]
    assert "refused for sam" in retried.body["deviations"][0]["detail"]
    assert "given by quinn" in retried.body["deviations"][0]["detail"]
    audit = await api.get_all(f"/batches/{batch_id}/audit", "quinn")
    [refusal] = [e for e in audit if e["action"] == "step.signature_refused"]
    assert refusal["new"]["signed_by"] == "sam" and refusal["new"]["step_id"] == "verify_weigh"


async def test_a_signature_retried_by_the_same_signer_raises_nothing(api: ApiClient) -> None:
    batch_id = await _at_verification(api)
    wrong = {**signature("sam", "verified"), "password": "typo"}

    await complete(api, batch_id, "verify_weigh", signature=wrong)
    retried = await complete(api, batch_id, "verify_weigh", signature=signature("sam", "verified"))

    assert _kinds(retried) == []


async def test_a_missing_signature_is_no_refused_one(api: ApiClient) -> None:
    batch_id = await _at_verification(api)

    unsigned = await complete(api, batch_id, "verify_weigh")
    signed = await complete(api, batch_id, "verify_weigh", signature=signature("sam", "verified"))

    assert unsigned.status == 422
    assert _kinds(signed) == []
