"""The WebSocket: clients subscribe to topics and receive committed events."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import WSMsgType, web

from server.auth.roles import EVERYONE
from server.events.bus import Subscription
from server.events.schemas import Hello, ProtocolError, Reply, SubscriptionChanged
from server.web.api import Api, current_user
from server.web.keys import DATABASE, EVENTS

api = Api("events")
# Closed when a client cannot keep up; it reconnects and re-reads the batch.
CLOSE_LAGGING = 4000
HEARTBEAT_SECONDS = 20.0


def _topic_error(topic: Any) -> str | None:
    if topic == "batches" or (
        isinstance(topic, str) and topic.startswith("batch:") and len(topic) > 6
    ):
        return None
    return f"unknown topic {topic!r}: use 'batch:<id>' or 'batches'"


async def _pump(ws: web.WebSocketResponse, subscription: Subscription) -> None:
    while not ws.closed:
        event = await subscription.queue.get()
        await ws.send_str(json.dumps(event))
        if subscription.lagging and subscription.queue.empty():
            await ws.close(code=CLOSE_LAGGING, message=b"too slow: reconnect and re-read")


@api.route(
    "GET",
    "/ws",
    summary='Event stream (WebSocket); send {"subscribe": "batch:<id>"}',
    roles=EVERYONE,
    plain=True,
)
async def websocket(request: web.Request) -> web.WebSocketResponse:
    async with request.app[DATABASE].sessions(readonly=True)() as session, session.begin():
        user = await current_user(request, session)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS)
    await ws.prepare(request)
    await _reply(ws, Hello(user=user.username))
    with request.app[EVENTS].subscribe() as subscription:
        pump = asyncio.create_task(_pump(ws, subscription))
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                await _handle(ws, subscription, message.data)
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
    return ws


async def _reply(ws: web.WebSocketResponse, message: Reply) -> None:
    await ws.send_json(message.model_dump(mode="json"))


async def _handle(ws: web.WebSocketResponse, subscription: Subscription, data: str) -> None:
    try:
        command = json.loads(data)
    except json.JSONDecodeError:
        await _reply(ws, ProtocolError(detail="messages must be JSON"))
        return
    if not isinstance(command, dict) or not ({"subscribe", "unsubscribe"} & command.keys()):
        await _reply(ws, ProtocolError(detail='send {"subscribe": "batch:<id>"}'))
        return
    for verb in ("subscribe", "unsubscribe"):
        if verb not in command:
            continue
        topic = command[verb]
        if (error := _topic_error(topic)) is not None:
            await _reply(ws, ProtocolError(detail=error))
            continue
        if verb == "subscribe":
            subscription.topics.add(topic)
        else:
            subscription.topics.discard(topic)
        changed = "subscribed" if verb == "subscribe" else "unsubscribed"
        await _reply(ws, SubscriptionChanged(type=changed, topic=topic))
