"""A WebSocket client that follows one batch by `seq` and resumes, as the headset does."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import ClientWebSocketResponse

from tests.client import ApiClient


@contextlib.asynccontextmanager
async def socket(api: ApiClient, username: str = "quinn") -> AsyncIterator[ClientWebSocketResponse]:
    """A greeted WebSocket of `username`."""
    token = await api.token(username)
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        yield ws


async def say(api: ApiClient, batch_id: str, text: str, as_user: str = "olivia") -> None:
    """Post a chat message: one event of the batch."""
    posted = await api.post(f"/batches/{batch_id}/chat", as_user, {"text": text})
    assert posted.status == 201, posted.body


async def subscribe(ws: ClientWebSocketResponse, batch_id: str, after: int | None) -> int:
    """Subscribe (resuming after `after` when given), check the answer and return the head
    it announced (the seq of the batch's newest event)."""
    command: dict[str, Any] = {"subscribe": f"batch:{batch_id}"}
    expected: dict[str, Any] = {"type": "subscribed", "topic": f"batch:{batch_id}"}
    if after is not None:
        command["after"] = expected["after"] = after
    await ws.send_json(command)
    answer = await ws.receive_json()
    head = answer.pop("head")
    assert answer == expected and isinstance(head, int)
    return head


async def events_until(
    ws: ClientWebSocketResponse, batch_id: str, marker: str, seconds: float = 20
) -> tuple[list[dict[str, Any]], int]:
    """The batch's events received until the chat message `marker`, resubscribing with
    `after` whenever the server says the client lags; and how many times it said so."""
    events: list[dict[str, Any]] = []
    lagged = 0
    async with asyncio.timeout(seconds):
        while True:
            message = await ws.receive_json()
            if message["type"] == "lagging":
                assert message["batch_id"] == batch_id
                lagged += 1
                await ws.send_json({"subscribe": f"batch:{batch_id}", "after": message["after"]})
                continue
            if message["type"] == "subscribed":
                continue
            events.append(message)
            if message["type"] == "chat" and message["message"]["text"] == marker:
                return events, lagged


def seqs(events: list[dict[str, Any]]) -> list[int]:
    return [event["seq"] for event in events]
