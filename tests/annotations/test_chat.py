"""The batch's chat: everyone following the batch writes and reads it; it stays in the record."""

from __future__ import annotations

from typing import Any

from tests.client import ApiClient
from tests.events import next_event, subscribed


async def test_a_message_reaches_the_batch_subscribers_and_is_kept_audited(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    path = f"/batches/{batch['id']}/chat"
    async with subscribed(api, batch["id"], "olivia") as headset:
        posted = await api.post(path, "quinn", {"text": "  Check the seal on the left valve. "})
        assert posted.status == 201, posted.body
        event = await next_event(headset, "chat")
    message = posted.body
    assert message["text"] == "Check the seal on the left valve."
    assert message["step_id"] == "clearance"
    assert message["created_by"] == {"username": "quinn", "full_name": "Quinn QA"}
    assert event["batch_id"] == batch["id"] and event["message"]["id"] == message["id"]
    assert event["message"]["text"] == message["text"]

    reply = await api.post(path, "olivia", {"text": "Done, it is tight.", "step_id": "weigh"})
    assert reply.status == 201 and reply.body["step_id"] == "weigh"
    listed = (await api.get(path, "sam")).body
    assert [m["text"] for m in listed] == [
        "Check the seal on the left valve.",
        "Done, it is tight.",
    ]
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    posted_entries = [e for e in trail if e["action"] == "chat.posted"]
    assert [e["entity_id"] for e in posted_entries] == [message["id"], reply.body["id"]]


async def test_empty_or_unknown_fields_are_refused_and_nothing_is_kept(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    path = f"/batches/{batch['id']}/chat"
    for body, field in [
        ({"text": "   "}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "hi", "channel": "ops"}, "channel"),
        ({"text": "hi", "step_id": "no_such_step"}, "step_id"),
    ]:
        refused = await api.post(path, "olivia", body)
        assert refused.status == 422, (body, refused.body)
        assert field in [error["field"] for error in refused.body["errors"]]
    assert (await api.get(path, "olivia")).body == []
    assert (await api.get("/batches/no-such-batch/chat", "olivia")).status == 404


async def test_a_retried_message_is_posted_once(api: ApiClient, batch: dict[str, Any]) -> None:
    path = f"/batches/{batch['id']}/chat"
    headers = {"Idempotency-Key": "headset-olivia-0007"}
    first = await api.post(path, "olivia", {"text": "Ready"}, headers=headers)
    second = await api.post(path, "olivia", {"text": "Ready"}, headers=headers)
    assert first.body == second.body and second.headers.get("Idempotent-Replayed") == "true"
    assert len((await api.get(path, "olivia")).body) == 1
