"""`stepwise serve --demo` weighs over MT-SICS: its simulated balance answers the real protocol."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.system.server_process import RemoteClient, demo_server


async def test_demo_balance_is_tared_and_read_through_the_server(tmp_path: Path) -> None:
    server = demo_server(tmp_path)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = RemoteClient(session, server.url)
            await client.login("olivia")
            assert (await client.call("POST", "/demo/balance", "olivia", json={"load": "0.350"}))[
                0
            ] == 200
            status, tare = await client.call("POST", "/equipment/EQ-BAL-01/tare", "olivia")
            assert status == 200, tare
            assert (tare["value"], tare["unit"]) == (0.35, "kg")
            await client.call("POST", "/demo/balance", "olivia", json={"load": "2.351"})
            await asyncio.sleep(0.6)  # the demo balance settles in 0.5 s
            settled = (await client.call("GET", "/equipment/EQ-BAL-01/weight", "olivia"))[1]
    finally:
        await server.stop()

    assert (settled["value"], settled["stable"]) == (2.001, True)
    assert "Simulated balance EQ-BAL-01 (MT-SICS)" in (tmp_path / "server.log").read_text()
