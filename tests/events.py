"""A WebSocket subscribed to a batch's events, as a headset or console holds one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import ClientWebSocketResponse

from tests.client import ApiClient


@contextlib.asynccontextmanager
async def subscribed(
    api: ApiClient, batch_id: str, username: str = "olivia"
) -> AsyncIterator[ClientWebSocketResponse]:
    """`username`'s WebSocket, subscribed to the batch's events."""
    token = await api.token(username)
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        await ws.send_json({"subscribe": f"batch:{batch_id}"})
        assert (await ws.receive_json())["type"] == "subscribed"
        yield ws


async def next_event(
    ws: ClientWebSocketResponse,
    event_type: str,
    where: Callable[[dict[str, Any]], bool] = lambda _event: True,
    seconds: float = 10,
    **fields: Any,
) -> dict[str, Any]:
    """The next event of a type, with these fields and accepted by `where`, passing over the
    others (on PostgreSQL, whose LISTEN is asynchronous, an event committed before the
    subscription may still arrive)."""
    async with asyncio.timeout(seconds):
        while True:
            event = await ws.receive_json()
            if event["type"] == event_type and fields.items() <= event.items() and where(event):
                return event
