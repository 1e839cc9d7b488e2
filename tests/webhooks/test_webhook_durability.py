"""Webhooks across a server kill -9 and a receiver that is down for a while: every committed
event of every batch arrives, each `webhook-id` once after de-duplication, in order per batch."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.system.server_process import RemoteClient, ServerProcess, free_port
from tests.system.test_crash_durability import STEPS, _prepare, _run_batch
from tests.webhooks.receiver import Receiver

SETTINGS = {"STEPWISE_WEBHOOK_NETWORKS": "127.0.0.1/32", "STEPWISE_WEBHOOK_RETRY_SECONDS": "0.2"}


async def _journal_heads(database_url: str) -> dict[str, int]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT batch_id, last_seq FROM batch_event_counters")
            )
            return dict(rows.all())
    finally:
        await engine.dispose()


async def _finish(server: ServerProcess, batch_ids: list[str]) -> None:
    """Complete every step the crash left undone."""
    async with aiohttp.ClientSession() as session:
        client = RemoteClient(session, server.url)
        for user in ("olivia", "sam"):
            await client.login(user)
        for batch_id in batch_ids:
            _, record = await client.call("GET", f"/batches/{batch_id}", "olivia")
            completed = {s["step_id"] for s in record["steps"] if s["state"] == "completed"}
            for step_id, body in [(s, body) for s, body in STEPS if s not in completed]:
                path = f"/batches/{batch_id}/steps/{step_id}/complete"
                status, answer = await client.call("POST", path, "olivia", json=body)
                assert status == 200, answer


@pytest.mark.timeout(300)  # two server starts, a crash and an outage, on a busy CI box
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_every_committed_event_arrives_across_a_crash_and_a_receiver_outage(
    database_url: str, tmp_path: Path
) -> None:
    receiver = Receiver()
    port = free_port()
    await receiver.start(port)
    server = ServerProcess(database_url, tmp_path / "data", tmp_path / "server.log", env=SETTINGS)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = RemoteClient(session, server.url)
            await client.login("ada")
            status, hook = await client.call(
                "POST", "/webhooks", "ada", json={"url": receiver.url, "event_types": ["*"]}
            )
            assert status == 201, hook
            batch_ids = await _prepare(client)
            acknowledged: list[tuple[str, str]] = []
            enough = asyncio.Event()
            runs = [
                asyncio.create_task(_run_batch(client, b, acknowledged, enough)) for b in batch_ids
            ]
            await enough.wait()
            await server.kill()
            await asyncio.gather(*runs, return_exceptions=True)
        await receiver.stop()  # the receiver is down while the rest of the run happens
        await server.start()
        await _finish(server, batch_ids)
        await asyncio.sleep(1.0)
        await receiver.start(port)

        heads = await _journal_heads(database_url)
        expected = sum(heads[b] for b in batch_ids)
        events = await receiver.wait_for(expected, hook["secret"], seconds=90)
        for batch_id in batch_ids:
            seqs = [e["seq"] for e in events if e["batch_id"] == batch_id]
            assert seqs == list(range(1, heads[batch_id] + 1)), batch_id
    finally:
        await server.stop()
        await receiver.stop()
