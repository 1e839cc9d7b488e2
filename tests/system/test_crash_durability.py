"""kill -9 in the middle of a run loses nothing that was acknowledged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.api.fixtures import DATA
from tests.client import PASSWORDS
from tests.system.server_process import RemoteClient, ServerProcess

BATCHES = 6
STEPS = [
    ("clearance", {"values": {"area_clean": True}}),
    ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
    (
        "verify_weigh",
        {"signature": {"username": "sam", "password": PASSWORDS["sam"], "meaning": "verified"}},
    ),
    ("output", {"values": {"output_kg": 9.9}}),
    ("yield_calc", {}),
    ("rest", {}),
    (
        "sign_off",
        {
            "signature": {
                "username": "olivia",
                "password": PASSWORDS["olivia"],
                "meaning": "performed",
            }
        },
    ),
]


async def _prepare(client: RemoteClient) -> list[str]:
    for user in ("alex", "quinn", "sam", "olivia"):
        await client.login(user)
    source = (DATA / "test_line.yaml").read_text()
    status, loaded = await client.call(
        "POST", "/procedures", "alex", json={"filename": "test_line.yaml", "source": source}
    )
    assert status == 201, loaded
    status, _ = await client.call("POST", "/procedures/test-line/versions/1/submit", "alex")
    assert status == 200
    status, _ = await client.call(
        "POST",
        "/procedures/test-line/versions/1/approve",
        "quinn",
        json={
            "signature": {
                "username": "quinn",
                "password": PASSWORDS["quinn"],
                "meaning": "approved",
            }
        },
    )
    assert status == 200
    ids = []
    for number in range(BATCHES):
        status, batch = await client.call(
            "POST",
            "/batches",
            "sam",
            json={"procedure": "test-line", "batch_number": f"K-{number}"},
        )
        assert status == 201, batch
        await client.call("POST", f"/batches/{batch['id']}/start", "olivia")
        ids.append(batch["id"])
    return ids


async def _run_batch(
    client: RemoteClient, batch_id: str, acknowledged: list[tuple[str, str]], enough: asyncio.Event
) -> None:
    for step_id, body in STEPS:
        status, answer = await client.call(
            "POST", f"/batches/{batch_id}/steps/{step_id}/complete", "olivia", json=body
        )
        assert status == 200, answer
        acknowledged.append((batch_id, step_id))
        if len(acknowledged) >= BATCHES * 2:
            enough.set()


@pytest.mark.timeout(300)  # two server starts and a crash, on a busy CI box
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_kill_9_mid_run_keeps_every_acknowledged_step(
    database_url: str, tmp_path: Path
) -> None:
    server = ServerProcess(database_url, tmp_path / "data", tmp_path / "server.log")
    await server.start()
    acknowledged: list[tuple[str, str]] = []
    try:
        async with aiohttp.ClientSession() as session:
            client = RemoteClient(session, server.url)
            batch_ids = await _prepare(client)
            enough = asyncio.Event()
            runs = [
                asyncio.create_task(_run_batch(client, b, acknowledged, enough)) for b in batch_ids
            ]
            await enough.wait()
            await server.kill()
            results = await asyncio.gather(*runs, return_exceptions=True)
            assert any(isinstance(r, aiohttp.ClientError) for r in results), "killed mid-run"
        await server.start()
        async with aiohttp.ClientSession() as session:
            client = RemoteClient(session, server.url)
            for user in ("olivia", "sam", "quinn"):
                await client.login(user)
            for batch_id in batch_ids:
                status, record = await client.call("GET", f"/batches/{batch_id}", "olivia")
                completed = {s["step_id"] for s in record["steps"] if s["state"] == "completed"}
                assert {step for b, step in acknowledged if b == batch_id} <= completed
                remaining = [(s, body) for s, body in STEPS if s not in completed]
                for step_id, body in remaining:
                    status, answer = await client.call(
                        "POST", f"/batches/{batch_id}/steps/{step_id}/complete", "olivia", json=body
                    )
                    assert status == 200, answer
                status, record = await client.call("GET", f"/batches/{batch_id}", "olivia")
                assert record["status"] == "completed"
                assert all(len({h["revision"] for h in s["history"]}) <= 1 for s in record["steps"])
            status, verify = await client.call("GET", "/audit/verify", "quinn")
            assert verify["ok"] is True, verify
    finally:
        await server.stop()
