"""Outgoing webhooks through the API: signed, in order per batch, retried, logged, re-sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient
from tests.webhooks.receiver import Receiver

CLEARANCE = {"area_clean": True}
WEIGH = {"net_kg": 10.0, "appearance": "conforms"}


async def _subscribe(site: ApiClient, url: str, types: list[str]) -> dict:
    answer = await site.post("/webhooks", "ada", {"url": url, "event_types": types})
    assert answer.status == 201, answer.body
    assert answer.body["secret"].startswith("whsec_")
    return answer.body


async def _log_once(site: ApiClient, hook: dict, holds: Callable[[list[dict]], bool]) -> list[dict]:
    """The delivery log once `holds` (the receiver may answer before the log is written)."""
    for _ in range(200):
        log = (await site.get(f"/webhooks/{hook['id']}/deliveries", "ada")).body
        if holds(log):
            return log
        await asyncio.sleep(0.05)
    raise AssertionError(f"the delivery log never got there: {log}")


async def test_batch_events_arrive_signed_once_each_in_order(
    site: ApiClient, receiver: Receiver
) -> None:
    await approved_procedure(site, "test_line.yaml")
    hook = await _subscribe(site, receiver.url, ["*"])
    batch = await started_batch(site)
    assert (await complete(site, batch["id"], "clearance", values=CLEARANCE)).status == 200
    assert (await complete(site, batch["id"], "weigh", values=WEIGH)).status == 200

    events = await receiver.wait_for(6, hook["secret"])
    mine = [event for event in events if event["batch_id"] == batch["id"]]
    assert [event["seq"] for event in mine] == list(range(1, len(mine) + 1))
    completed = [e["step_id"] for e in mine if e["type"] == "step" and e["state"] == "completed"]
    assert completed[:2] == ["clearance", "weigh"]
    log = (await site.get(f"/webhooks/{hook['id']}/deliveries", "ada")).body
    assert {entry["status"] for entry in log} == {"delivered"}
    assert {entry["message_id"] for entry in log} >= {f"{batch['id']}.1", f"{batch['id']}.2"}
    listed = (await site.get("/webhooks", "ada")).body
    assert [entry["id"] for entry in listed] == [hook["id"]] and listed[0]["secret"] is None


async def test_a_failing_receiver_gets_the_same_event_again_before_any_later_one(
    site: ApiClient, receiver: Receiver
) -> None:
    await approved_procedure(site, "test_line.yaml")
    batch = await started_batch(site)
    hook = await _subscribe(site, receiver.url, ["step"])
    receiver.answers = [503, 500]
    assert (await complete(site, batch["id"], "clearance", values=CLEARANCE)).status == 200

    events = await receiver.wait_for(2, hook["secret"])
    assert [(e["type"], e["step_id"], e["state"]) for e in events] == [
        ("step", "clearance", "completed"),
        ("step", "weigh", "active"),
    ]
    ids = [item.headers["webhook-id"] for item in receiver.received]
    assert ids[:3] == [ids[0]] * 3 and ids[3] != ids[0]
    log = (await site.get(f"/webhooks/{hook['id']}/deliveries", "ada")).body
    first = next(entry for entry in log if entry["message_id"] == ids[0])
    assert (first["attempts"], first["status"], first["response_status"]) == (3, "delivered", 204)


async def test_a_delivery_is_sent_again_by_hand_with_the_same_id(
    site: ApiClient, receiver: Receiver
) -> None:
    await approved_procedure(site, "test_line.yaml")
    hook = await _subscribe(site, receiver.url, ["batch"])
    await started_batch(site)
    await receiver.wait_for(1, hook["secret"])
    delivery = (
        await _log_once(site, hook, lambda log: bool(log) and log[-1]["status"] == "delivered")
    )[-1]

    again = await site.post(f"/webhooks/{hook['id']}/deliveries/{delivery['id']}/resend", "ada")
    assert again.status == 202 and again.body["resend"] is True
    await receiver.wait_for_copies(delivery["message_id"], 2)

    def resent(log: list[dict]) -> bool:
        return any(entry["id"] == delivery["id"] and entry["attempts"] == 2 for entry in log)

    log = await _log_once(site, hook, resent)
    again = next(entry for entry in log if entry["id"] == delivery["id"])
    assert (again["attempts"], again["resend"], again["status"]) == (2, False, "delivered")


async def test_refused_subscriptions_say_why_and_change_nothing(site: ApiClient) -> None:
    outside = await site.post(
        "/webhooks", "ada", {"url": "http://10.9.8.7/hook", "event_types": ["*"]}
    )
    assert outside.status == 422
    assert outside.body["errors"][0]["field"] == "url"
    unknown = await site.post(
        "/webhooks", "ada", {"url": "http://127.0.0.1:9/hook", "event_types": ["stepp"]}
    )
    assert unknown.status == 422 and "stepp" in unknown.body["detail"]
    not_a_url = await site.post("/webhooks", "ada", {"url": "not a url", "event_types": ["*"]})
    assert not_a_url.status == 422
    operator = await site.post(
        "/webhooks", "olivia", {"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}
    )
    assert operator.status == 403
    assert (await site.get("/webhooks", "ada")).body == []
    missing = await site.post("/webhooks/nope/deliveries/1/resend", "ada")
    assert missing.status == 404
