"""Overload: a request that finds every database connection busy, or a sign-in that finds the
line for password checks full, is told to come back (503 with Retry-After) and records nothing;
sent again later, it is recorded once."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from server.auth.gate import SignInGate
from server.config import Settings
from server.errors import ServerBusy
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
        for _ in range(5):  # again after pauses: background rounds (webhooks, seals) hold one
            with contextlib.suppress(PoolTimeout):  # take every connection the pool will give
                while len(taken) < 100:
                    taken.append(await held.enter_async_context(writer.connect()))
            await asyncio.sleep(0.2)
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


async def test_sign_ins_take_turns_and_a_full_line_is_sent_away_at_once() -> None:
    gate = SignInGate(concurrent=1, waiting=1)
    order: list[str] = []
    release = asyncio.Event()

    async def sign_in(name: str) -> None:
        async with gate.turn():
            order.append(name)
            await release.wait()

    first = asyncio.create_task(sign_in("first"))
    second = asyncio.create_task(sign_in("second"))
    await asyncio.sleep(0)  # first checks, second waits in line
    await asyncio.sleep(0)
    with pytest.raises(ServerBusy):
        async with gate.turn():
            order.append("third")
    release.set()
    await asyncio.gather(first, second)
    assert order == ["first", "second"]
    async with gate.turn():  # the line is empty again
        order.append("later")
    assert order[-1] == "later"
