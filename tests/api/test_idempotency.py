"""Retries and races: nothing acknowledged is lost, nothing is recorded twice."""

from __future__ import annotations

import asyncio

from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient


async def _completed_values(api: ApiClient, batch_id: str) -> list:
    record = (await api.get(f"/batches/{batch_id}", "olivia")).body
    return [(s["step_id"], len(s["history"])) for s in record["steps"] if s["state"] == "completed"]


async def test_same_key_replays_the_first_answer_and_records_nothing_new(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    path = f"/batches/{batch['id']}/steps/clearance/complete"
    body = {"values": {"area_clean": True}}
    headers = {"Idempotency-Key": "tablet-7f3a-0001"}
    first = await api.post(path, "olivia", body, headers=headers)
    second = await api.post(path, "olivia", body, headers=headers)
    assert first.status == second.status == 200
    assert first.body == second.body
    assert second.headers.get("Idempotent-Replayed") == "true"
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert [e["action"] for e in audit].count("step.completed") == 1
    without_key = await api.post(path, "olivia", body)
    assert without_key.status == 409


async def test_reusing_a_key_for_another_request_is_refused(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    path = f"/batches/{batch['id']}/steps/clearance/complete"
    headers = {"Idempotency-Key": "k-1"}
    assert (
        await api.post(path, "olivia", {"values": {"area_clean": True}}, headers=headers)
    ).status == 200
    other = await api.post(
        path, "olivia", {"values": {"area_clean": True}, "comment": "x"}, headers=headers
    )
    assert other.status == 422 and "different request" in other.body["detail"]


async def test_two_devices_completing_the_same_step_exactly_one_wins(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await api.token("omar")
    path = f"/batches/{batch['id']}/steps/clearance/complete"
    body = {"values": {"area_clean": True}}
    answers = await asyncio.gather(
        *(api.post(path, user, body) for user in ["olivia", "omar", "olivia", "omar"])
    )
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200, 409, 409, 409]
    loser = next(answer for answer in answers if answer.status == 409)
    assert loser.body["current"]["state"] == "completed"
    users = ["olivia", "omar"] * 2
    winner = next(user for user, a in zip(users, answers, strict=True) if a.status == 200)
    assert loser.body["current"]["completed_by"] == winner
    assert await _completed_values(api, batch["id"]) == [("clearance", 1)]


async def test_concurrent_retries_with_one_key_record_once(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    path = f"/batches/{batch['id']}/steps/clearance/complete"
    headers = {"Idempotency-Key": "burst-1"}
    answers = await asyncio.gather(
        *(
            api.post(path, "olivia", {"values": {"area_clean": True}}, headers=headers)
            for _ in range(4)
        )
    )
    assert {answer.status for answer in answers} == {200}
    assert len({str(answer.body) for answer in answers}) == 1
    assert await _completed_values(api, batch["id"]) == [("clearance", 1)]
