"""What the annotation tests draw, and a WebSocket subscriber as the headset holds one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import ClientWebSocketResponse

from tests.client import ApiClient


def arrow(batch_id: str, **changes: Any) -> dict[str, Any]:
    """An arrow drawn on the batch's main stream, pointing at the middle of the frame."""
    return {
        "stream_id": batch_id,
        "shape": "arrow",
        "points": [[0.2, 0.3], [0.5, 0.5]],
        "color": "#FF3B30",
        "frame_timestamp": 12.5,
        **changes,
    }


@contextlib.asynccontextmanager
async def subscribed(
    api: ApiClient, username: str, batch_id: str
) -> AsyncIterator[ClientWebSocketResponse]:
    """A WebSocket of `username` subscribed to the batch, as the headset holds one."""
    token = await api.token(username)
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        await ws.send_json({"subscribe": f"batch:{batch_id}"})
        assert (await ws.receive_json())["type"] == "subscribed"
        yield ws


async def next_event(ws: ClientWebSocketResponse, event_type: str, **fields: Any) -> dict[str, Any]:
    """The next event of a type with these fields, passing over others: on PostgreSQL, whose
    LISTEN is asynchronous, an event committed before the subscription may still arrive."""
    async with asyncio.timeout(5):
        while True:
            event = await ws.receive_json()
            if event["type"] == event_type and fields.items() <= event.items():
                return event
