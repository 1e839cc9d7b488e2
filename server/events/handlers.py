"""The WebSocket: clients subscribe to topics and receive committed events."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import Any

from aiohttp import WSMsgType, web

from server.auth import service as auth
from server.auth.roles import EVERYONE
from server.db.engine import Database
from server.errors import Invalid
from server.events.feed import Feed, reply_text
from server.events.schemas import Hello, ProtocolError, Reply
from server.web.api import Api, bearer_token, cookie_token, current_user
from server.web.body import load_json
from server.web.keys import DATABASE, EVENTS, SETTINGS

api = Api("events")
# Closed when the token stops signing its user in: signed out, expired, revoked by an admin,
# or the user deactivated. The client signs in again.
CLOSE_SESSION_ENDED = 4001
HEARTBEAT_SECONDS = 20.0


def _topic_error(topic: Any) -> str | None:
    if topic == "batches" or (
        isinstance(topic, str) and topic.startswith("batch:") and len(topic) > 6
    ):
        return None
    return f"unknown topic {topic!r}: use 'batch:<id>' or 'batches'"


async def _pump(ws: web.WebSocketResponse, feed: Feed) -> None:
    while not ws.closed:
        await feed.send_next()


async def _watch_session(
    ws: web.WebSocketResponse, database: Database, token: str, every: float
) -> None:
    """Close the socket soon after its token stops signing its user in.

    Re-read from the database, so a sign-out or an admin's revocation in another server
    process (PostgreSQL scale-out) is seen too."""
    while not ws.closed:
        await asyncio.sleep(every)
        async with database.sessions(readonly=True)() as session, session.begin():
            live = await auth.session_is_live(session, token)
        if not live:
            await ws.close(
                code=CLOSE_SESSION_ENDED,
                message=b"session ended: signed out, expired or deactivated; sign in again",
            )


@api.route(
    "GET",
    "/ws",
    summary='Event stream (WebSocket); send {"subscribe": "batch:<id>", "after"?: <seq>}',
    roles=EVERYONE,
    plain=True,
)
async def websocket(request: web.Request) -> web.WebSocketResponse:
    database = request.app[DATABASE]
    async with database.sessions(readonly=True)() as session, session.begin():
        user = await current_user(request, session)
    token = bearer_token(request) or cookie_token(request)
    assert token is not None  # current_user found a live one
    settings = request.app[SETTINGS]
    # A message is a JSON body like any other: the same size limit (load_json: the same depth).
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS, max_msg_size=settings.max_body_bytes)
    await ws.prepare(request)
    await _reply(ws, Hello(user=user.username))
    with request.app[EVENTS].subscribe() as subscription:
        feed = Feed(subscription, database, functools.partial(_send, ws))
        helpers = [
            asyncio.create_task(_pump(ws, feed)),
            asyncio.create_task(
                _watch_session(ws, database, token, settings.session_recheck_seconds)
            ),
        ]
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                await _handle(ws, feed, message.data)
        finally:
            for helper in helpers:
                helper.cancel()
            for helper in helpers:
                with contextlib.suppress(asyncio.CancelledError):
                    await helper
    return ws


async def _send(ws: web.WebSocketResponse, text: str) -> None:
    # A client that went away mid-replay has nothing left to receive; its loop ends on close.
    with contextlib.suppress(ConnectionResetError):
        await ws.send_str(text)


async def _reply(ws: web.WebSocketResponse, message: Reply) -> None:
    await _send(ws, reply_text(message))


def _command(data: str) -> dict[str, Any] | str:
    """A client's command, or why it cannot be one (JSON within the body limits)."""
    try:
        command = load_json(data.encode())
    except Invalid as exc:
        return exc.detail
    if not isinstance(command, dict) or not ({"subscribe", "unsubscribe"} & command.keys()):
        return 'send {"subscribe": "batch:<id>"}'
    return command


def _after_error(topic: str, after: Any) -> str | None:
    if after is None:
        return None
    if not topic.startswith("batch:"):
        return "'after' resumes a 'batch:<id>' topic only"
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        return "'after' is the seq of the last event received: an integer, 0 or more"
    return None


async def _handle(ws: web.WebSocketResponse, feed: Feed, data: str) -> None:
    command = _command(data)
    if isinstance(command, str):
        await _reply(ws, ProtocolError(detail=command))
        return
    for verb in ("subscribe", "unsubscribe"):
        if verb not in command:
            continue
        topic = command[verb]
        after = command.get("after") if verb == "subscribe" else None
        if (error := _topic_error(topic) or _after_error(topic, after)) is not None:
            await _reply(ws, ProtocolError(detail=error))
        elif verb == "subscribe":
            await feed.subscribe(topic, after)
        else:
            await feed.unsubscribe(topic)
