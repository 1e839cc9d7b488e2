"""The application with the streams API and its live-streams resource, on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from server.app import create_app
from server.config import Settings
from server.streams.analysis import StreamAnalyses
from server.streams.analysis_context import STREAM_ANALYSES
from server.streams.context import LIVE_STREAMS
from server.streams.live import LiveStreams
from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient


@pytest.fixture
async def app(settings: Settings) -> web.Application:
    return create_app(settings)  # the streams API and its live streams are part of it


@pytest.fixture
async def api(app: web.Application, aiohttp_client: Any) -> AsyncIterator[ApiClient]:
    # `app` (and so the database) first: the server then stops, ending any stream still
    # live and auditing it, before the test database is dropped.
    client = await aiohttp_client(app)
    yield ApiClient(client)


@pytest.fixture
def live(app: web.Application) -> LiveStreams:
    return app[LIVE_STREAMS]


@pytest.fixture
def analyses(app: web.Application) -> StreamAnalyses:
    return app[STREAM_ANALYSES]


@pytest.fixture
async def batch(api: ApiClient) -> dict[str, Any]:
    await approved_procedure(api, "test_line.yaml")
    return await started_batch(api)
