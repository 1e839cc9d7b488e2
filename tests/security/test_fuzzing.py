"""Finding 14: the served API document, fuzzed by schemathesis over every operation as a
signed-in supervisor, never gets a 5xx and never an answer outside the document."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.system.server_process import RemoteClient, demo_server

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Signing out would revoke the fuzzer's own token and leave every later call a 401; WHIP and
# WHEP take SDP, which the fuzzer cannot write (tests/security/test_sdp_limits.py covers them).
LEFT_OUT = "/auth/(logout|session)$|/(whip|whep)$"


@pytest.mark.timeout(900)  # every operation of the document, on a busy CI box
async def test_fuzzing_every_operation_finds_no_server_error(tmp_path: Path) -> None:
    # Its wrong e-signature passwords would otherwise lock its session after five.
    server = demo_server(tmp_path, STEPWISE_MAX_FAILED_SIGNATURES="1000000")
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
            LEFT_OUT,
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
