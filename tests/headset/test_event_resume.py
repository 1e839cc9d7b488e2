"""A headset that loses its network hears, once back, what happened on its batch meanwhile:
its event stream resumes after the last event it received."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp

from headset_client.session import HeadsetSession
from tests.client import ApiClient
from tests.headset.flaky_proxy import FlakyProxy, Weather
from tests.headset.support import headset, lines_of, prepare, say
from tests.system.server_process import RemoteClient

CALM = Weather(cut_request=0, cut_answer=0, cut_midway=0, delay_chance=0, delay=0)


async def _until(condition: Callable[[], bool], seconds: float = 20) -> None:
    """Wait for a state of the headset that no event announces."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the headset never got there")


async def _colleague_weighs(base: str, batch_id: str) -> None:
    """Omar, on another device, completes the weighing of the batch."""
    async with aiohttp.ClientSession() as http:
        colleague = RemoteClient(http, base)
        await colleague.login("omar")
        status, body = await colleague.call(
            "POST",
            f"/batches/{batch_id}/steps/weigh/complete",
            "omar",
            json={"values": {"net_kg": 10.0, "appearance": "conforms"}},
        )
        assert status == 200, body


@contextlib.asynccontextmanager
async def _back_after_omar_weighed(
    api: ApiClient, outbox: Path, number: str
) -> AsyncIterator[tuple[HeadsetSession, int | None, str]]:
    """A headset behind a proxy does the clearance of batch `number`; its network goes down
    while Omar weighs on another device, then comes back. Yields the headset's session, the
    seq of the last event it had before, and the batch id."""
    base = str(api.client.make_url("/api/v1"))
    ids = await prepare(base, number)
    server = api.client.server
    proxy = FlakyProxy((server.host, server.port), seed=1, weather=CALM)
    await proxy.start()
    try:
        flaky = f"http://127.0.0.1:{proxy.port}/api/v1"
        async with headset(flaky, outbox) as operator:
            session = operator.session
            await say(operator, f"batch {number}", *lines_of("clearance"), "sync")
            await _until(lambda: session.following and session.last_event_seq is not None)
            seen = session.last_event_seq

            proxy.down = True
            proxy.cut_all()
            await _until(lambda: not session.following)
            await _colleague_weighs(base, ids[number])
            proxy.down = False
            yield session, seen, ids[number]
    finally:
        await proxy.close()


async def test_a_reconnecting_headset_resumes_its_events_after_the_last_it_received(
    api: ApiClient, tmp_path: Path
) -> None:
    async with _back_after_omar_weighed(api, tmp_path / "away.db", "AWAY") as (session, seen, _):
        async with asyncio.timeout(20):
            while await session.notices.get() != "step weigh completed by omar":
                pass
        assert session.following
        assert session.last_event_seq is not None and seen is not None
        assert session.last_event_seq > seen


async def test_a_restarted_headset_hears_what_happened_while_it_was_off(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    ids = await prepare(base, "OFF")
    outbox = tmp_path / "off.db"
    async with headset(base, outbox) as operator:
        session = operator.session
        await say(operator, "batch OFF", *lines_of("clearance"), "sync")
        await _until(lambda: session.following and session.last_event_seq is not None)
        seen = session.last_event_seq

    await _colleague_weighs(base, ids["OFF"])

    async with headset(base, outbox) as operator:
        session = operator.session
        await say(operator, "batch OFF")
        async with asyncio.timeout(20):
            while await session.notices.get() != "step weigh completed by omar":
                pass
        assert session.last_event_seq is not None and session.last_event_seq > seen


async def test_a_sync_waits_until_the_events_of_the_record_it_read_have_arrived(
    api: ApiClient, tmp_path: Path
) -> None:
    """The event stream is down while a colleague works; the network comes back and the
    headset syncs at once: the sync returns only once the colleague's events came too."""
    async with _back_after_omar_weighed(api, tmp_path / "late.db", "LATE") as (session, _, id_):
        assert await session.sync(20)
        record = (await api.get(f"/batches/{id_}", "quinn")).body
        assert session.last_event_seq == record["event_seq"]
        assert session.stats.events_missing == 0
