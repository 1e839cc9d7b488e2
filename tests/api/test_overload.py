"""Overload: a request that finds every database connection busy is told to come back (503
with Retry-After) and records nothing; sent again later, it is recorded once."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from server.config import Settings
from server.web.keys import DATABASE
from tests.api.fixtures import approved_procedure
from tests.client import ApiClient


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, db_wait_seconds=0.5)


async def test_every_connection_busy_is_503_with_retry_after_and_records_nothing(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    body = {"procedure": "test-line", "batch_number": "B-RUSH", "parameters": {}}
    headers = {"Idempotency-Key": "rush-hour-0001"}
    await api.token("sam")  # signed in before the rush
    writer = api.client.server.app[DATABASE].writer
    async with contextlib.AsyncExitStack() as held:
        taken: list[AsyncConnection] = []
        with contextlib.suppress(PoolTimeout):  # take every connection the pool will give
            while len(taken) < 100:
                taken.append(await held.enter_async_context(writer.connect()))
        busy = await api.post("/batches", "sam", body, headers=headers)
    later = await api.post("/batches", "sam", body, headers=headers)

    assert taken, "the pool gave no connection at all"
    assert busy.status == 503, busy.body
    assert busy.headers["Retry-After"] == "2"
    assert busy.body["type"] == "urn:stepwise:problem:server-busy"
    assert "nothing was recorded" in busy.body["detail"]
    assert later.status == 201, later.body
    batches = (await api.get("/batches", "sam")).body
    assert [b["batch_number"] for b in batches].count("B-RUSH") == 1
