"""Finding 8 (and the WebSocket part of 7) of the adversarial review: an open WebSocket stops
receiving events within seconds of its token being revoked, expiring, or its user being
deactivated; a hostile message is answered, never a 500 on the upgraded socket."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import WSMsgType

from server.config import Settings
from server.events.handlers import CLOSE_SESSION_ENDED
from tests.client import ApiClient

WITHIN_SECONDS = 6


async def _closed_by_server(ws: Any) -> tuple[int | None, str]:
    """The close code and reason, skipping anything sent before it."""
    async with asyncio.timeout(WITHIN_SECONDS):
        while True:
            message = await ws.receive()
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return ws.close_code, str(message.extra or "")


async def _open(api: ApiClient, username: str) -> Any:
    token = await api.token(username)
    ws = await api.client.ws_connect(f"/api/v1/ws?token={token}")
    assert (await ws.receive_json())["type"] == "hello"
    return ws


async def test_signing_out_closes_the_open_websocket(api: ApiClient) -> None:
    ws = await _open(api, "quinn")
    assert (await api.post("/auth/logout", "quinn")).status == 200
    code, reason = await _closed_by_server(ws)
    assert code == CLOSE_SESSION_ENDED and "sign in again" in reason


async def test_an_admin_revoking_sessions_closes_the_websocket(api: ApiClient) -> None:
    ws = await _open(api, "olivia")
    users = {u["username"]: u for u in (await api.get("/users", "ada")).body}
    answer = await api.post(
        f"/users/{users['olivia']['id']}/revoke-sessions", "ada", {"reason": "lost headset"}
    )
    assert answer.status == 200, answer.body
    code, _ = await _closed_by_server(ws)
    assert code == CLOSE_SESSION_ENDED


async def test_deactivating_the_user_closes_the_websocket(api: ApiClient) -> None:
    ws = await _open(api, "omar")
    users = {u["username"]: u for u in (await api.get("/users", "ada")).body}
    answer = await api.post(f"/users/{users['omar']['id']}/deactivate", "ada", {"reason": "left"})
    assert answer.status == 200, answer.body
    code, _ = await _closed_by_server(ws)
    assert code == CLOSE_SESSION_ENDED


@pytest.fixture
async def short_lived(
    aiohttp_client: Callable[..., Awaitable[Any]], settings: Settings
) -> AsyncIterator[ApiClient]:
    from server.app import create_app

    brief = dataclasses.replace(settings, token_lifetime=timedelta(seconds=2))
    yield ApiClient(await aiohttp_client(create_app(brief)))


async def test_an_expiring_token_closes_the_websocket(short_lived: ApiClient) -> None:
    ws = await _open(short_lived, "sam")
    code, _ = await _closed_by_server(ws)
    assert code == CLOSE_SESSION_ENDED


@pytest.mark.parametrize("levels", [1_000, 100_000])
async def test_a_deeply_nested_message_is_answered_and_the_socket_goes_on(
    api: ApiClient, levels: int
) -> None:
    ws = await _open(api, "olivia")
    await ws.send_str("[" * levels + "]" * levels)
    answer = await ws.receive_json()
    assert answer["type"] == "error" and "nested" in answer["detail"]
    await ws.send_json({"subscribe": "batches"})
    assert (await ws.receive_json()) == {"type": "subscribed", "topic": "batches"}
    await ws.close()
