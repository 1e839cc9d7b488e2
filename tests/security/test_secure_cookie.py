"""Finding 15 of the adversarial review: behind a TLS proxy the session cookie is `Secure`,
and only a trusted proxy can say the browser used HTTPS."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from ipaddress import ip_network
from typing import Any

import pytest

from server.config import SettingInvalid, Settings, settings_from_env

SIGN_IN = {"username": "sam", "password": "sam-demo"}
HTTPS_PROXY = {"X-Forwarded-Proto": "https"}


async def _session_cookie(
    aiohttp_client: Callable[..., Awaitable[Any]], settings: Settings, headers: dict[str, str]
) -> str:
    from server.app import create_app

    client = await aiohttp_client(create_app(settings))
    async with client.post("/api/v1/auth/session", json=SIGN_IN, headers=headers) as response:
        assert response.status == 200
        return response.headers["Set-Cookie"]


async def test_a_trusted_proxy_saying_https_makes_the_cookie_secure(
    aiohttp_client: Callable[..., Awaitable[Any]], settings: Settings
) -> None:
    trusted = dataclasses.replace(settings, trusted_proxies=(ip_network("127.0.0.0/8"),))
    cookie = await _session_cookie(aiohttp_client, trusted, HTTPS_PROXY)
    assert "Secure" in cookie


async def test_an_untrusted_client_cannot_claim_https(
    aiohttp_client: Callable[..., Awaitable[Any]], settings: Settings
) -> None:
    elsewhere = dataclasses.replace(settings, trusted_proxies=(ip_network("10.0.0.0/8"),))
    cookie = await _session_cookie(aiohttp_client, elsewhere, HTTPS_PROXY)
    assert "Secure" not in cookie


async def test_a_trusted_proxy_forwarding_plain_http_leaves_the_cookie_plain(
    aiohttp_client: Callable[..., Awaitable[Any]], settings: Settings
) -> None:
    trusted = dataclasses.replace(settings, trusted_proxies=(ip_network("127.0.0.1/32"),))
    cookie = await _session_cookie(aiohttp_client, trusted, {"X-Forwarded-Proto": "http"})
    assert "Secure" not in cookie


async def test_the_secure_cookies_setting_forces_secure(
    aiohttp_client: Callable[..., Awaitable[Any]], settings: Settings
) -> None:
    cookie = await _session_cookie(
        aiohttp_client, dataclasses.replace(settings, secure_cookies=True), {}
    )
    assert "Secure" in cookie


def test_the_settings_are_read_from_the_environment() -> None:
    settings = settings_from_env(
        {"STEPWISE_TRUSTED_PROXIES": "10.0.0.0/8, ::1/128", "STEPWISE_SECURE_COOKIES": "true"}
    )
    assert settings.trusted_proxies == (ip_network("10.0.0.0/8"), ip_network("::1/128"))
    assert settings.secure_cookies is True
    with pytest.raises(SettingInvalid, match="STEPWISE_TRUSTED_PROXIES"):
        settings_from_env({"STEPWISE_TRUSTED_PROXIES": "not-a-network"})
