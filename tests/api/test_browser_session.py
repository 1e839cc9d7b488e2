"""Browser sessions: HttpOnly cookie, CSRF token on writes, same-origin WebSockets."""

from __future__ import annotations

import pytest
from aiohttp import WSServerHandshakeError

from tests.api.fixtures import approved_procedure
from tests.client import ApiClient


async def _open_session(api: ApiClient, username: str = "sam") -> tuple[str, str]:
    async with api.client.post(
        "/api/v1/auth/session", json={"username": username, "password": f"{username}-demo"}
    ) as response:
        assert response.status == 200
        cookie = response.headers["Set-Cookie"]
        return (await response.json())["csrf_token"], cookie


async def test_sign_in_sets_an_httponly_strict_cookie_and_me_returns_the_csrf_token(
    api: ApiClient,
) -> None:
    csrf, cookie = await _open_session(api)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    async with api.client.get("/api/v1/auth/me") as response:
        me = await response.json()
    assert me["username"] == "sam" and me["csrf_token"] == csrf


async def test_cookie_writes_need_the_csrf_token(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    csrf, _ = await _open_session(api)
    body = {"procedure": "test-line", "batch_number": "WEB-1"}
    async with api.client.post("/api/v1/batches", json=body) as response:
        assert response.status == 403
        assert "X-CSRF-Token" in (await response.json())["detail"]
    async with api.client.post(
        "/api/v1/batches", json=body, headers={"X-CSRF-Token": "forged"}
    ) as response:
        assert response.status == 403
    async with api.client.post(
        "/api/v1/batches", json=body, headers={"X-CSRF-Token": csrf}
    ) as response:
        assert response.status == 201


async def test_sign_out_revokes_the_cookie_session(api: ApiClient) -> None:
    csrf, _ = await _open_session(api)
    async with api.client.delete("/api/v1/auth/session") as response:
        assert response.status == 403
    async with api.client.delete(
        "/api/v1/auth/session", headers={"X-CSRF-Token": csrf}
    ) as response:
        assert response.status == 200
    async with api.client.get("/api/v1/auth/me") as response:
        assert response.status == 401


async def test_cross_origin_websocket_with_cookie_is_refused(api: ApiClient) -> None:
    await _open_session(api)
    with pytest.raises(WSServerHandshakeError) as refused:
        await api.client.ws_connect("/api/v1/ws", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    async with api.client.ws_connect("/api/v1/ws") as ws:
        assert (await ws.receive_json())["type"] == "hello"


async def test_pages_carry_a_strict_content_security_policy(api: ApiClient) -> None:
    async with api.client.get("/api/v1/openapi.json") as response:
        policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
