"""Two server processes (`stepwise serve --workers 2`) on one PostgreSQL database act as one
server: steps, sessions, signing sessions and idempotent retries work through either, and
killing one loses nothing it acknowledged while the other keeps serving."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.client import PASSWORDS
from tests.scale.processes import (
    ServerProcesses,
    completed_steps,
    finish,
    is_running,
    sign_in_everyone,
    started_batches,
)
from tests.streams.scenes import until
from tests.system.server_process import RemoteClient
from tests.system.test_crash_durability import STEPS

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
async def servers(database_url: str, tmp_path: Path) -> AsyncIterator[ServerProcesses]:
    """`serve --workers 2`; on SIGTERM to the parent, no process of it may be left."""
    servers = ServerProcesses(database_url, tmp_path)
    await servers.start()
    yield servers
    pids = [pid for pid, _ in servers.processes().values()]
    await servers.stop()
    await until(lambda: not any(is_running(pid) for pid in pids))


def _clients(session: aiohttp.ClientSession, servers: ServerProcesses) -> list[RemoteClient]:
    """A client of each process alone, sharing one set of sign-ins."""
    clients = [RemoteClient(session, url) for _, url in sorted(servers.processes().values())]
    for client in clients[1:]:
        client.tokens = clients[0].tokens
    return clients


async def _run(clients: list[RemoteClient], number: int, batch_id: str) -> None:
    """Complete a batch's steps, each through the next process in turn."""
    for index, (step_id, body) in enumerate(STEPS):
        client = clients[(number + index) % len(clients)]
        status, answer = await client.call(
            "POST", f"/batches/{batch_id}/steps/{step_id}/complete", "olivia", json=body
        )
        assert status == 200, answer


async def test_steps_of_20_batches_through_both_processes_at_once_verify(
    servers: ServerProcesses,
) -> None:
    async with aiohttp.ClientSession() as session:
        clients = _clients(session, servers)
        await sign_in_everyone(clients[0])
        batch_ids = await started_batches(clients[1], 20)

        await asyncio.gather(*(_run(clients, n, b) for n, b in enumerate(batch_ids)))

        shared = RemoteClient(session, servers.url)
        shared.tokens = clients[0].tokens
        for batch_id in batch_ids:
            status, record = await shared.call("GET", f"/batches/{batch_id}", "quinn")
            assert record["status"] == "completed"
        status, report = await shared.call("GET", "/audit/verify", "quinn")
        assert status == 200 and report["ok"] is True, report
        assert report["seals"] >= 1 and report["seal_problems"] == []
        assert report["chains"] >= 21  # a chain per batch, and the site's
        for batch_id in batch_ids:
            status, chain = await shared.call("GET", f"/batches/{batch_id}/audit/verify", "quinn")
            assert status == 200 and chain["ok"] is True, chain


async def test_sessions_signing_sessions_and_retries_work_through_either_process(
    servers: ServerProcesses,
) -> None:
    async with aiohttp.ClientSession() as session:
        first, second = _clients(session, servers)
        await sign_in_everyone(first)
        status, me = await second.call("GET", "/auth/me", "olivia")
        assert status == 200 and me["username"] == "olivia"
        one, two = await started_batches(first, 2)

        # An idempotent retry reaching the other process replays the first one's answer.
        retry = {"json": STEPS[0][1], "headers": {"Idempotency-Key": "tablet-7-0001"}}
        clearance = f"/batches/{one}/steps/clearance/complete"
        answered = await first.call("POST", clearance, "olivia", **retry)
        replayed = await second.call("POST", clearance, "olivia", **retry)
        assert answered[0] == 200 and replayed == answered
        other = {"json": {"values": {"area_clean": False}}, "headers": retry["headers"]}
        status, refused = await second.call("POST", clearance, "olivia", **other)
        assert status == 422 and refused["errors"][0]["field"] == "Idempotency-Key"
        status, record = await second.call("GET", f"/batches/{one}", "olivia")
        step = next(s for s in record["steps"] if s["step_id"] == "clearance")
        assert len({h["revision"] for h in step["history"]}) == 1

        # A signature naming its signer through one process opens the signing session that a
        # password-only signature through the other continues (21 CFR 11.200(a)(1)).
        await finish(first, one)
        for step_id, body in STEPS[:-1]:
            status, answer = await first.call(
                "POST", f"/batches/{two}/steps/{step_id}/complete", "olivia", json=body
            )
            assert status == 200, answer
        password_only = {"password": PASSWORDS["olivia"], "meaning": "performed"}
        status, answer = await second.call(
            "POST",
            f"/batches/{two}/steps/sign_off/complete",
            "olivia",
            json={"signature": password_only},
        )
        assert status == 200, answer

        # Signing out through one process ends the session on the other at once.
        status, _ = await second.call("POST", "/auth/logout", "olivia")
        assert status == 200
        status, _ = await first.call("GET", "/auth/me", "olivia")
        assert status == 401


async def test_kill_9_one_process_the_other_keeps_serving_and_nothing_acknowledged_is_lost(
    servers: ServerProcesses,
) -> None:
    (victim, _), _ = sorted(servers.processes().values())
    acknowledged: list[tuple[str, str]] = []
    enough = asyncio.Event()

    async def run(clients: list[RemoteClient], number: int, batch_id: str) -> None:
        for index, (step_id, body) in enumerate(STEPS):
            client = clients[(number + index) % 2]
            status, answer = await client.call(
                "POST", f"/batches/{batch_id}/steps/{step_id}/complete", "olivia", json=body
            )
            assert status == 200, answer
            acknowledged.append((batch_id, step_id))
            if len(acknowledged) >= 12:
                enough.set()

    async with aiohttp.ClientSession() as session:
        clients = _clients(session, servers)
        survivor = clients[1]
        await sign_in_everyone(clients[0])
        batch_ids = await started_batches(survivor, 8)
        runs = [asyncio.create_task(run(clients, n, b)) for n, b in enumerate(batch_ids)]
        await enough.wait()
        os.kill(victim, signal.SIGKILL)
        assert len(acknowledged) < len(batch_ids) * len(STEPS), "killed mid-run"
        status, _ = await survivor.call("GET", "/auth/me", "olivia")
        assert status == 200
        # Requests in flight to the killed process fail; later ones wait in its socket's queue
        # (the parent holds the socket) for the process that replaces it.
        for result in await asyncio.gather(*runs, return_exceptions=True):
            assert result is None or isinstance(result, aiohttp.ClientError), result

        for batch_id in batch_ids:
            done = await completed_steps(survivor, batch_id)
            assert {step for b, step in acknowledged if b == batch_id} <= done
            await finish(survivor, batch_id)
        status, report = await survivor.call("GET", "/audit/verify", "quinn")
        assert status == 200 and report["ok"] is True, report

    # The parent replaced the killed process with one on the same private port.
    await until(lambda: servers.processes()[0][0] != victim, seconds=60)
