"""Fixtures of the webhook tests: a site that may post to loopback and retries quickly, and a
real receiver (import them into a test module to use them)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from server.app import create_app
from server.config import LOOPBACK, Settings
from tests.client import ApiClient
from tests.webhooks.receiver import Receiver


@pytest.fixture
async def site(aiohttp_client, settings: Settings) -> ApiClient:
    quick = dataclasses.replace(settings, webhook_networks=LOOPBACK, webhook_retry_seconds=0.2)
    return ApiClient(await aiohttp_client(create_app(quick)))


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    yield receiver
    await receiver.stop()
