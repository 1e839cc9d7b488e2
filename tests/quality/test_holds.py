"""Blocking exceptions: a blocking deviation holds the batch until continuation is approved."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient
from tests.events import next_event, subscribed


def _approval(username: str, comment: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"signature": signature(username, "approved")}
    if comment is not None:
        body["comment"] = comment
    return body


async def _approve(api: ApiClient, batch_id: str, hold_id: str, username: str) -> Any:
    path = f"/batches/{batch_id}/holds/{hold_id}/approve"
    return await api.post(path, username, _approval(username, f"checked by {username}"))


async def _record(api: ApiClient, batch_id: str) -> dict[str, Any]:
    answer = await api.get(f"/batches/{batch_id}", "olivia")
    assert answer.status == 200, answer.body
    return answer.body


async def _audit(api: ApiClient, batch_id: str) -> list[dict[str, Any]]:
    return await api.get_all(f"/batches/{batch_id}/audit", "quinn")


async def _held_batch(api: ApiClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """A blocking-line batch held at `weigh` by an alert value: the batch and its hold."""
    await approved_procedure(api, "blocking_line.yaml")
    batch = await started_batch(api, "blocking-line")
    weighed = await complete(
        api, batch["id"], "weigh", values={"net_kg": 10.7}, comment="Scale drift suspected"
    )
    assert weighed.status == 200, weighed.body
    assert weighed.body["result"] == "alert"
    assert weighed.body["batch_status"] == "on_hold" and weighed.body["next_step"] is None
    record = await _record(api, batch["id"])
    (hold,) = record["holds"]
    return record, hold


async def test_a_blocking_alert_holds_the_batch_at_its_step(api: ApiClient) -> None:
    record, hold = await _held_batch(api)

    assert record["status"] == "on_hold"
    assert record["current_step"] is None
    (deviation,) = record["deviations"]
    assert hold["step_id"] == "weigh" and hold["deviation_id"] == deviation["id"]
    assert hold["deviation_number"] == deviation["number"]
    assert hold["reason"] == deviation["title"] == "Net weight outside its alert range"
    assert deviation["field"] == "net_kg"
    assert hold["raised_by"] == {"username": "olivia", "full_name": "Olivia Operator"}
    assert hold["approvals_required"] == 2 and hold["approvals"] == []
    assert hold["lifted_at"] is None
    actions = [entry["action"] for entry in await _audit(api, record["id"])]
    assert actions[-2:] == ["hold.raised", "batch.held"] and "deviation.opened" in actions


async def test_no_step_is_completed_while_on_hold_and_the_refusal_names_the_hold(
    api: ApiClient,
) -> None:
    record, hold = await _held_batch(api)
    before = len(await _audit(api, record["id"]))

    refused = await complete(api, record["id"], "mix")

    assert refused.status == 409
    assert refused.body["current"] == {"status": "on_hold", "hold": hold}
    assert hold["deviation_number"] in refused.body["detail"]
    assert "on hold" in refused.body["detail"]
    after = await _record(api, record["id"])
    assert after["status"] == "on_hold"
    assert {s["step_id"]: s["state"] for s in after["steps"]}["mix"] == "pending"
    assert len(await _audit(api, record["id"])) == before


async def test_continuation_needs_two_approvals_from_supervisor_or_qa(api: ApiClient) -> None:
    record, hold = await _held_batch(api)
    batch_id, hold_id = record["id"], hold["id"]

    operator = await _approve(api, batch_id, hold_id, "olivia")
    assert operator.status == 403
    first = await _approve(api, batch_id, hold_id, "sam")
    assert first.status == 200, first.body
    assert first.body["status"] == "on_hold"
    (held,) = first.body["holds"]
    assert [a["by"]["username"] for a in held["approvals"]] == ["sam"]
    assert held["approvals"][0]["comment"] == "checked by sam"
    assert held["lifted_at"] is None
    again = await _approve(api, batch_id, hold_id, "sam")
    assert again.status == 403
    assert again.body["errors"][0]["field"] == "signature.username"

    second = await _approve(api, batch_id, hold_id, "quinn")

    assert second.status == 200, second.body
    assert second.body["status"] == "in_progress"
    assert second.body["current_step"] == "mix"
    (lifted,) = second.body["holds"]
    assert [a["by"]["username"] for a in lifted["approvals"]] == ["sam", "quinn"]
    assert lifted["lifted_at"] is not None
    assert (await complete(api, batch_id, "mix")).status == 200
    lifted_again = await _approve(api, batch_id, hold_id, "ada")
    assert lifted_again.status == 403  # admins approve nothing
    actions = [entry["action"] for entry in await _audit(api, batch_id)]
    for action in ("hold.approved", "hold.lifted", "batch.resumed"):
        assert action in actions


async def test_approval_needs_the_meaning_approved_and_a_right_password(api: ApiClient) -> None:
    record, hold = await _held_batch(api)
    path = f"/batches/{record['id']}/holds/{hold['id']}/approve"

    wrong_meaning = await api.post(path, "sam", {"signature": signature("sam", "reviewed")})
    wrong_password = await api.post(
        path, "sam", {"signature": {**signature("sam", "approved"), "password": "not-sams"}}
    )
    unknown = await api.post(f"/batches/{record['id']}/holds/nope/approve", "sam", _approval("sam"))

    assert wrong_meaning.status == 422 and wrong_password.status == 422
    assert unknown.status == 404
    assert (await _record(api, record["id"]))["holds"] == [hold]


async def test_whoever_raised_the_hold_cannot_approve_it(api: ApiClient) -> None:
    await approved_procedure(api, "blocking_step.yaml")
    batch = await started_batch(api, "blocking-step")
    checked = await complete(
        api, batch["id"], "check", "sam", values={"torque": 8.5}, comment="Tight cap"
    )
    assert checked.status == 200, checked.body
    (hold,) = (await _record(api, batch["id"]))["holds"]
    assert hold["raised_by"]["username"] == "sam" and hold["approvals_required"] == 1

    own = await _approve(api, batch["id"], hold["id"], "sam")
    assert own.status == 403
    assert "raised" in own.body["errors"][0]["message"]
    by_qa = await _approve(api, batch["id"], hold["id"], "quinn")

    assert by_qa.status == 200, by_qa.body
    assert by_qa.body["status"] == "in_progress" and by_qa.body["current_step"] == "pack"


async def test_a_hold_at_the_last_step_completes_the_batch_when_lifted(api: ApiClient) -> None:
    await approved_procedure(api, "blocking_line.yaml")
    batch = await started_batch(api, "blocking-line")
    batch_id = batch["id"]
    assert (await complete(api, batch_id, "weigh", values={"net_kg": 10.0})).status == 200
    assert (await complete(api, batch_id, "mix")).status == 200
    last = await complete(api, batch_id, "final_ph", values={"ph": 8.5}, comment="High")
    assert last.status == 200, last.body
    held = await _record(api, batch_id)
    assert held["status"] == "on_hold" and held["completed_at"] is None
    assert {step["state"] for step in held["steps"]} == {"completed"}
    hold_id = held["holds"][0]["id"]

    async with subscribed(api, batch_id) as ws:
        assert (await _approve(api, batch_id, hold_id, "sam")).status == 200
        approved = await next_event(ws, "hold", state="approved")
        done = await _approve(api, batch_id, hold_id, "quinn")
        lifted = await next_event(ws, "hold", state="lifted")
        completed = await next_event(ws, "batch", status="completed")

    assert done.status == 200 and done.body["status"] == "completed"
    assert done.body["completed_at"] is not None
    assert approved["hold_id"] == lifted["hold_id"] == hold_id
    assert lifted["step_id"] == "final_ph" and lifted["by"] == "quinn"
    assert completed["batch_id"] == batch_id
    relift = await _approve(api, batch_id, hold_id, "ada")
    assert relift.status == 403


async def test_the_hold_is_announced_live(api: ApiClient) -> None:
    await approved_procedure(api, "blocking_line.yaml")
    batch = await started_batch(api, "blocking-line")

    async with subscribed(api, batch["id"]) as ws:
        await complete(api, batch["id"], "weigh", values={"net_kg": 9.2}, comment="Low")
        raised = await next_event(ws, "hold", state="raised")
        held = await next_event(ws, "batch", status="on_hold")

    assert raised["step_id"] == "weigh" and raised["by"] == "olivia"
    assert raised["reason"] == "Net weight outside its alert range"
    assert held["batch_id"] == batch["id"]


async def _blocking_step_batch(api: ApiClient) -> str:
    await approved_procedure(api, "blocking_step.yaml")
    batch = await started_batch(api, "blocking-step")
    assert (await complete(api, batch["id"], "check", values={"torque": 5})).status == 200
    return batch["id"]


async def _correct_check(api: ApiClient, batch_id: str, torque: float) -> Any:
    return await api.post(
        f"/batches/{batch_id}/steps/check/correct",
        "olivia",
        {"values": {"torque": torque}, "reason": "Read the wrong gauge", "comment": "Re-read"},
    )


async def test_a_correction_that_raises_a_blocking_deviation_holds_the_active_step(
    api: ApiClient,
) -> None:
    batch_id = await _blocking_step_batch(api)

    corrected = await _correct_check(api, batch_id, 8.5)
    refused = await complete(api, batch_id, "pack")

    assert corrected.status == 200, corrected.body
    held = await _record(api, batch_id)
    assert held["status"] == "on_hold" and held["current_step"] == "pack"
    (hold,) = held["holds"]
    assert refused.status == 409 and refused.body["current"]["hold"]["id"] == hold["id"]
    lifted = await _approve(api, batch_id, hold["id"], "sam")
    assert lifted.body["status"] == "in_progress" and lifted.body["current_step"] == "pack"
    assert (await complete(api, batch_id, "pack")).status == 200


async def test_a_completed_batch_held_by_a_correction_completes_again_when_lifted(
    api: ApiClient,
) -> None:
    batch_id = await _blocking_step_batch(api)
    assert (await complete(api, batch_id, "pack")).status == 200
    completed_at = (await _record(api, batch_id))["completed_at"]

    corrected = await _correct_check(api, batch_id, 6)

    assert corrected.status == 200, corrected.body
    assert [d["kind"] for d in corrected.body["deviations"]] == ["correction_after_completion"]
    held = await _record(api, batch_id)
    assert held["status"] == "on_hold"
    lifted = await _approve(api, batch_id, held["holds"][0]["id"], "quinn")
    assert lifted.status == 200, lifted.body
    assert lifted.body["status"] == "completed" and lifted.body["completed_at"] == completed_at


async def test_an_observation_reported_at_a_blocking_step_holds_the_batch(api: ApiClient) -> None:
    await approved_procedure(api, "blocking_step.yaml")
    batch = await started_batch(api, "blocking-step")
    path = f"/batches/{batch['id']}/deviations"

    elsewhere = await api.post(path, "olivia", {"title": "Label smudged", "description": "x"})
    assert elsewhere.status == 201, elsewhere.body
    assert (await _record(api, batch["id"]))["status"] == "in_progress"
    at_check = await api.post(
        path,
        "olivia",
        {"title": "Seal cracked", "description": "Hairline crack", "step_id": "check"},
    )

    assert at_check.status == 201 and at_check.body["blocking"] is True, at_check.body
    record = await _record(api, batch["id"])
    assert record["status"] == "on_hold"
    assert [hold["reason"] for hold in record["holds"]] == ["Seal cracked"]
    refused = await complete(api, batch["id"], "check", values={"torque": 5})
    assert refused.status == 409
