"""The server goes away mid-batch (killed): the operator works on, nothing is lost or doubled."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.headset.support import (
    ALL_LINES,
    assert_recorded_once,
    fetch,
    headset,
    lines_of,
    prepare,
    record_summary,
    say,
)
from tests.system.server_process import ServerProcess

OFFLINE_STEPS = ("weigh", "mix", "photo_granules", "yield_calc")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_batch_worked_offline_is_recorded_as_if_never_offline(
    database_url: str, tmp_path: Path
) -> None:
    server = ServerProcess(database_url, tmp_path / "data", tmp_path / "server.log")
    await server.start()
    try:
        ids = await prepare(server.url, "ONLINE", "OFFLINE")
        async with headset(server.url, tmp_path / "online.db") as operator:
            await say(operator, "batch ONLINE", *ALL_LINES, "sync")

        async with headset(server.url, tmp_path / "offline.db") as operator:
            session = operator.session
            await say(operator, "batch OFFLINE", *lines_of("clearance"), "sync")
            await server.kill()
            worked = await say(operator, *lines_of(*OFFLINE_STEPS))
            offline_counts = await session.counts()
            verifying = asyncio.create_task(say(operator, *lines_of("verify_weigh")))
            assert await session.view_reaches(lambda b: b is not None and b.awaiting(), 10)
            waiting = await say(operator, "status")
            await server.start()
            await verifying
            await say(operator, *lines_of("sign_off"), "sync")
            counts = await session.counts()

        records = await fetch(server.url, *(f"/batches/{ids[n]}" for n in ("ONLINE", "OFFLINE")))
        online, offline = (record_summary(record) for record in records)
        assert offline == online
        assert offline["status"] == "completed"
        assert "Mix: done" in worked and "Yield: done" in worked
        assert offline_counts == {"pending": 5, "done": 2, "conflict": 0}
        assert waiting[0].startswith("server: unreachable; 6 waiting to be sent")
        assert counts == {"pending": 0, "done": 9, "conflict": 0}
        await assert_recorded_once(server.url, ids["OFFLINE"])
    finally:
        await server.stop()
