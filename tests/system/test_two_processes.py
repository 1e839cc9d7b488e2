"""Two server processes on one PostgreSQL database see each other's events."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.api.fixtures import DATA
from tests.client import PASSWORDS
from tests.system.server_process import RemoteClient, ServerProcess


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_event_from_one_process_reaches_subscriber_of_the_other(
    database_url: str, tmp_path: Path
) -> None:
    first = ServerProcess(database_url, tmp_path / "a", tmp_path / "a.log")
    second = ServerProcess(database_url, tmp_path / "b", tmp_path / "b.log")
    await asyncio.gather(first.start(), second.start())
    try:
        async with aiohttp.ClientSession() as session:
            writer = RemoteClient(session, first.url)
            reader = RemoteClient(session, second.url)
            for user in ("alex", "quinn", "sam", "olivia"):
                await writer.login(user)
            token = await reader.login("quinn")
            source = (DATA / "test_line.yaml").read_text()
            await writer.call(
                "POST", "/procedures", "alex", json={"filename": "test_line.yaml", "source": source}
            )
            await writer.call("POST", "/procedures/test-line/versions/1/submit", "alex")
            await writer.call(
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
            _, batch = await writer.call(
                "POST", "/batches", "sam", json={"procedure": "test-line", "batch_number": "TWO-1"}
            )
            await writer.call("POST", f"/batches/{batch['id']}/start", "olivia")
            async with session.ws_connect(f"{second.url}/ws?token={token}") as ws:
                await ws.receive_json()
                await ws.send_json({"subscribe": f"batch:{batch['id']}"})
                await ws.receive_json()
                status, _ = await writer.call(
                    "POST",
                    f"/batches/{batch['id']}/steps/clearance/complete",
                    "olivia",
                    json={"values": {"area_clean": True}},
                )
                assert status == 200
                async with asyncio.timeout(5):
                    while True:
                        event = await ws.receive_json()
                        if event["type"] == "step" and event["state"] == "completed":
                            break
                assert event["step_id"] == "clearance" and event["by"] == "olivia"
    finally:
        await asyncio.gather(first.stop(), second.stop())
