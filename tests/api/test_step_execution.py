"""Completing steps through the API: order, guardrails, deviations, verification, timers."""

from __future__ import annotations

import pytest

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient


@pytest.fixture
async def batch(api: ApiClient) -> dict:
    await approved_procedure(api, "test_line.yaml")
    return await started_batch(api)


async def _step(api: ApiClient, batch_id: str, step_id: str) -> dict:
    record = (await api.get(f"/batches/{batch_id}", "olivia")).body
    return next(step for step in record["steps"] if step["step_id"] == step_id)


async def _audit_actions(api: ApiClient, batch_id: str) -> list[str]:
    return [entry["action"] for entry in (await api.get_all(f"/batches/{batch_id}/audit", "quinn"))]


async def test_started_batch_activates_first_step_only(api: ApiClient, batch: dict) -> None:
    states = {step["step_id"]: step["state"] for step in batch["steps"]}
    assert states["clearance"] == "active"
    assert {s for k, s in states.items() if k != "clearance"} == {"pending"}
    assert batch["current_step"] == "clearance"
    assert batch["current_step_title"] == "Line clearance"


async def test_the_batch_list_names_the_current_step_by_its_title(
    api: ApiClient, batch: dict
) -> None:
    listed = next(b for b in (await api.get("/batches", "sam")).body if b["id"] == batch["id"])
    assert (listed["current_step"], listed["current_step_title"]) == ("clearance", "Line clearance")


async def test_completing_a_pending_step_is_refused_with_its_state(
    api: ApiClient, batch: dict
) -> None:
    answer = await complete(
        api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"}
    )
    assert answer.status == 409
    assert answer.body["current"]["state"] == "pending"
    assert (await _step(api, batch["id"], "weigh"))["state"] == "pending"


async def test_unchecked_checklist_item_blocks_the_step(api: ApiClient, batch: dict) -> None:
    answer = await complete(api, batch["id"], "clearance", values={"area_clean": False})
    assert answer.status == 422
    assert answer.body["errors"][0]["field"] == "values.area_clean"
    assert answer.body["errors"][0]["code"] == "must_be_checked"


async def test_hard_limit_breach_names_field_and_limit_and_records_nothing(
    api: ApiClient, batch: dict
) -> None:
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    answer = await complete(
        api, batch["id"], "weigh", values={"net_kg": 11.4, "appearance": "conforms"}
    )
    assert answer.status == 422
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    error = answer.body["errors"][0]
    assert error["field"] == "values.net_kg"
    assert error["code"] == "above_max"
    assert error["limit"]["max"] == 11.0
    step = await _step(api, batch["id"], "weigh")
    assert step["state"] == "active" and step["values"] == {} and step["history"] == []
    actions = await _audit_actions(api, batch["id"])
    assert actions[-1] == "step.completion_refused"
    assert actions.count("step.completed") == 1, "only the checklist before it was recorded"


async def test_alert_value_requires_comment_and_opens_deviation(
    api: ApiClient, batch: dict
) -> None:
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    values = {"net_kg": 10.7, "appearance": "conforms"}
    refused = await complete(api, batch["id"], "weigh", values=values)
    assert refused.status == 422
    assert refused.body["errors"][0]["field"] == "comment"
    accepted = await complete(
        api, batch["id"], "weigh", values=values, comment="Scoop residue, supervisor informed"
    )
    assert accepted.status == 200, accepted.body
    assert accepted.body["result"] == "alert"
    [deviation] = accepted.body["deviations"]
    assert deviation["field"] == "net_kg" and deviation["severity"] == "minor"
    assert deviation["number"].endswith("DEV-001")
    record = (await api.get(f"/batches/{batch['id']}", "olivia")).body
    assert [d["number"] for d in record["deviations"]] == [deviation["number"]]


async def test_unknown_and_mistyped_values_are_refused(api: ApiClient, batch: dict) -> None:
    answer = await complete(api, batch["id"], "clearance", values={"area_clean": "yes", "extra": 1})
    assert answer.status == 422
    codes = {error["field"]: error["code"] for error in answer.body["errors"]}
    assert codes == {"values.area_clean": "wrong_type", "values.extra": "unknown_field"}


async def test_self_verification_is_refused_and_a_second_person_verifies(
    api: ApiClient, batch: dict
) -> None:
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await complete(api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"})
    own = await complete(
        api, batch["id"], "verify_weigh", signature=signature("olivia", "verified")
    )
    assert own.status == 403
    assert "different person" in own.body["detail"]
    operator = await complete(
        api, batch["id"], "verify_weigh", signature=signature("omar", "verified")
    )
    assert operator.status == 403, "an operator is not among the verifier roles"
    wrong_password = await complete(
        api,
        batch["id"],
        "verify_weigh",
        signature={"username": "sam", "password": "nope", "meaning": "verified"},
    )
    assert wrong_password.status == 422
    verified = await complete(
        api, batch["id"], "verify_weigh", signature=signature("sam", "verified")
    )
    assert verified.status == 200, verified.body
    step = await _step(api, batch["id"], "verify_weigh")
    assert step["completed_by"]["username"] == "sam"
    [sig] = step["signatures"]
    assert sig["full_name"] == "Sam Supervisor" and sig["meaning"] == "verified"
    assert "Sam Supervisor" in sig["manifestation"] and sig["signed_at"].endswith("Z")
    refusals = [a for a in await _audit_actions(api, batch["id"]) if a.endswith("_refused")]
    assert len(refusals) == 3


async def test_false_condition_skips_the_step(api: ApiClient, batch: dict) -> None:
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await complete(api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"})
    answer = await complete(
        api, batch["id"], "verify_weigh", signature=signature("sam", "verified")
    )
    assert answer.body["next_step"] == "output"
    assert (await _step(api, batch["id"], "rework"))["state"] == "skipped"


async def test_true_condition_activates_the_step(api: ApiClient, batch: dict) -> None:
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await complete(
        api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "does not conform"}
    )
    answer = await complete(
        api, batch["id"], "verify_weigh", signature=signature("sam", "verified")
    )
    assert answer.body["next_step"] == "rework"


async def test_timer_step_refuses_completion_before_minimum_hold(api: ApiClient) -> None:
    await approved_procedure(api, "hold_line.yaml")
    batch = await started_batch(api, "hold-line")
    assert (await complete(api, batch["id"], "mix")).status == 200
    early = await complete(api, batch["id"], "rest")
    assert early.status == 409
    assert "earliest" in early.body["current"]
    assert (await _step(api, batch["id"], "rest"))["state"] == "active"


async def test_signature_required_step_refuses_without_signature(
    api: ApiClient, batch: dict
) -> None:
    steps = [
        ("clearance", {"values": {"area_clean": True}}),
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
        ("verify_weigh", {"signature": signature("sam", "verified")}),
        ("output", {"values": {"output_kg": 10.0}}),
        ("yield_calc", {}),
        ("rest", {}),
    ]
    for step_id, body in steps:
        answer = await complete(api, batch["id"], step_id, **body)
        assert answer.status == 200, (step_id, answer.body)
    unsigned = await complete(api, batch["id"], "sign_off")
    assert unsigned.status == 422 and unsigned.body["errors"][0]["field"] == "signature"
    signed = await complete(
        api, batch["id"], "sign_off", signature=signature("olivia", "performed")
    )
    assert signed.status == 200
    assert signed.body["batch_status"] == "completed" and signed.body["next_step"] is None
    record = (await api.get(f"/batches/{batch['id']}", "olivia")).body
    assert record["status"] == "completed"
    assert record["steps"][5]["calculated"] == {"yield_pct": 100.0}
