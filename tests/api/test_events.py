"""Committed changes reach WebSocket subscribers of the batch."""

from __future__ import annotations

import asyncio

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient


async def _next_of_type(ws, event_type: str) -> dict:
    """The next event of a type, passing over step activations: on PostgreSQL the activation
    announced by starting the batch may arrive after the subscription (LISTEN is asynchronous)."""
    async with asyncio.timeout(5):
        while True:
            event = await ws.receive_json()
            if event["type"] == event_type and event.get("state") != "active":
                return event


async def test_subscriber_receives_step_and_deviation_events(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    token = await api.token("quinn")
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        head = (await api.get(f"/batches/{batch['id']}", "quinn")).body["event_seq"]
        await ws.send_json({"subscribe": f"batch:{batch['id']}"})
        assert (await ws.receive_json()) == {
            "type": "subscribed",
            "topic": f"batch:{batch['id']}",
            "head": head,
        }
        await complete(api, batch["id"], "clearance", values={"area_clean": True})
        step = await _next_of_type(ws, "step")
        assert step["seq"] == head + 1, "the stream starts after the head it announced"
        assert (step["step_id"], step["state"], step["batch_id"]) == (
            "clearance",
            "completed",
            batch["id"],
        )
        assert step["at"].endswith("Z")
        await complete(
            api,
            batch["id"],
            "weigh",
            values={"net_kg": 10.6, "appearance": "conforms"},
            comment="slightly high",
        )
        deviation = await _next_of_type(ws, "deviation")
        assert deviation["severity"] == "minor"


async def test_refused_completion_sends_no_event(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    token = await api.token("quinn")
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        await ws.receive_json()
        await ws.send_json({"subscribe": f"batch:{batch['id']}"})
        await ws.receive_json()
        assert (
            await complete(api, batch["id"], "clearance", values={"area_clean": False})
        ).status == 422
        await complete(api, batch["id"], "clearance", values={"area_clean": True})
        event = await _next_of_type(ws, "step")
        assert event["state"] == "completed", (
            "the refused attempt produced no event before this one"
        )


async def test_websocket_needs_a_token_and_valid_topics(api: ApiClient) -> None:
    async with api.client.get("/api/v1/ws") as response:
        assert response.status == 401
    token = await api.token("olivia")
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        await ws.receive_json()
        await ws.send_json({"subscribe": "everything"})
        assert (await ws.receive_json())["type"] == "error"
        await ws.send_str("not json")
        assert (await ws.receive_json())["type"] == "error"
