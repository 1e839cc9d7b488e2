"""A whole batch over a network that loses and delays requests and answers at random."""

from __future__ import annotations

from pathlib import Path

from tests.client import ApiClient
from tests.headset.flaky_proxy import FlakyProxy
from tests.headset.support import (
    ALL_LINES,
    assert_recorded_once,
    fetch,
    headset,
    prepare,
    record_summary,
    say,
)


async def test_lost_and_delayed_traffic_loses_nothing_and_doubles_nothing(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    ids = await prepare(base, "STEADY", "FLAKY")
    async with headset(base, tmp_path / "steady.db") as operator:
        await say(operator, "batch STEADY", *ALL_LINES, "sync")

    server = api.client.server
    proxy = FlakyProxy((server.host, server.port), seed=20261125)
    await proxy.start()
    try:
        flaky = f"http://127.0.0.1:{proxy.port}/api/v1"
        async with headset(flaky, tmp_path / "flaky.db", wait_seconds=60) as operator:
            await say(operator, "batch FLAKY", *ALL_LINES, "sync")
            counts = await operator.session.counts()
            attempts = [entry.attempts for entry in await operator.session.submissions()]
    finally:
        await proxy.close()

    records = await fetch(base, *(f"/batches/{ids[n]}" for n in ("STEADY", "FLAKY")))
    steady, flaky_record = (record_summary(record) for record in records)
    assert flaky_record == steady
    assert flaky_record["status"] == "completed"
    assert counts == {"pending": 0, "done": 9, "conflict": 0}
    assert proxy.counts["requests cut"] > 0 and proxy.counts["answers cut"] > 0
    assert proxy.counts["requests cut midway"] > 0 and proxy.counts["answers cut midway"] > 0
    assert max(attempts) > 1, "some submissions had to be sent again"
    await assert_recorded_once(base, ids["FLAKY"])
