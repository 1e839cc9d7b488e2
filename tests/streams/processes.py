"""Two real `stepwise serve` processes on one PostgreSQL database, a batch to stream, and an
aiortc publisher on one of them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.api.fixtures import DATA, signature
from tests.streams.peers import MovingBar, accept, new_peer, offer
from tests.system.server_process import RemoteClient, ServerProcess

SDP = "application/sdp"
# A process silent this long is gone: short, so that a test sees it within seconds.
STALE_SECONDS = "2"


def stream_server(
    database_url: str, folder: Path, name: str, url: str | None = None
) -> ServerProcess:
    """A server process that knows its own URL (STEPWISE_PROCESS_URL; by default its own
    port), as an operator sets it for each process behind a load balancer."""
    server = ServerProcess(database_url, folder / name, folder / f"{name}.log")
    server._env["STEPWISE_PROCESS_URL"] = url or origin(server)
    server._env["STEPWISE_STREAM_OWNER_STALE_SECONDS"] = STALE_SECONDS
    return server


def origin(server: ServerProcess) -> str:
    return f"http://127.0.0.1:{server.port}"


@dataclass
class Cluster:
    """Processes `a` and `b`, a client of each, and an open batch."""

    a: ServerProcess
    b: ServerProcess
    on_a: RemoteClient
    on_b: RemoteClient
    batch_id: str

    async def post_sdp(
        self, server: ServerProcess, path: str, user: str, sdp: str, *, follow: bool
    ) -> tuple[int, dict[str, str], str]:
        client = self.on_a if server is self.a else self.on_b
        async with client.session.post(
            server.url + path,
            data=sdp,
            headers={"Content-Type": SDP, "Authorization": f"Bearer {client.tokens[user]}"},
            allow_redirects=follow,
        ) as response:
            return response.status, dict(response.headers), await response.text()


@asynccontextmanager
async def two_processes(
    database_url: str, folder: Path, *, a_url: str | None = None
) -> AsyncIterator[Cluster]:
    """Processes A and B; `a_url`: where A is reached (by default its own port)."""
    a = stream_server(database_url, folder, "a", a_url)
    b = stream_server(database_url, folder, "b")
    await asyncio.gather(a.start(), b.start())
    try:
        async with aiohttp.ClientSession() as session:
            on_a, on_b = RemoteClient(session, a.url), RemoteClient(session, b.url)
            for user in ("alex", "quinn", "sam", "olivia"):
                await on_a.login(user)
                await on_b.login(user)
            yield Cluster(a, b, on_a, on_b, await _open_batch(on_a))
    finally:
        await asyncio.gather(a.stop(), b.stop())


async def _open_batch(client: RemoteClient) -> str:
    source = (DATA / "test_line.yaml").read_text()
    status, _ = await client.call(
        "POST", "/procedures", "alex", json={"filename": "test_line.yaml", "source": source}
    )
    assert status == 201
    status, _ = await client.call("POST", "/procedures/test-line/versions/1/submit", "alex")
    assert status == 200
    status, _ = await client.call(
        "POST",
        "/procedures/test-line/versions/1/approve",
        "quinn",
        json={"signature": signature("quinn", "approved")},
    )
    assert status == 200
    status, batch = await client.call(
        "POST", "/batches", "sam", json={"procedure": "test-line", "batch_number": "MEDIA-1"}
    )
    assert status == 201, batch
    status, _ = await client.call("POST", f"/batches/{batch['id']}/start", "olivia")
    assert status == 200
    return str(batch["id"])


@asynccontextmanager
async def publishing(cluster: Cluster, server: ServerProcess) -> AsyncIterator[Any]:
    """The moving bar published over WHIP to `server` as the batch's main stream."""
    pc = new_peer()
    pc.addTransceiver(MovingBar(), direction="sendonly")
    status, _, answer = await cluster.post_sdp(
        server, f"/streams/{cluster.batch_id}/whip", "olivia", await offer(pc), follow=False
    )
    assert status == 201, answer
    await accept(pc, answer)
    try:
        yield pc
    finally:
        await pc.close()
