"""Finding 14: the served API document, fuzzed by schemathesis over every operation as a
signed-in supervisor, never gets a 5xx and never an answer outside the document."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

from tests.system.server_process import RemoteClient, ServerProcess, free_port

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Signing out would revoke the fuzzer's own token and leave every later call a 401.
SIGN_OUT = "/auth/(logout|session)"


async def test_fuzzing_every_operation_finds_no_server_error(tmp_path: Path) -> None:
    server = ServerProcess(
        "",
        tmp_path / "data",
        tmp_path / "server.log",
        "--demo",
        env={"STEPWISE_DEMO_BALANCE_PORT": str(free_port())},
    )
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            token = await RemoteClient(session, server.url).login("sam")
        fuzzer = await asyncio.create_subprocess_exec(
            str(SCHEMATHESIS),
            "run",
            f"{server.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            "5",
            "--seed",
            "1",
            "--generation-deterministic",
            "--request-timeout",
            "20",
            "--exclude-path-regex",
            SIGN_OUT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,  # its example cache stays out of the checkout
        )
        output, _ = await asyncio.wait_for(fuzzer.communicate(), timeout=600)
    finally:
        await server.stop()
    report = output.decode(errors="replace")
    assert fuzzer.returncode == 0, report[-6000:]
    assert "Tested: " in report
