"""WHIP and WHEP sessions driven through the API by real aiortc peers."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from aiortc import RTCPeerConnection

from tests.client import ApiClient
from tests.streams.peers import MovingBar, Watcher, accept, new_peer, offer

SDP = {"Content-Type": "application/sdp"}


async def post_sdp(api: ApiClient, path: str, as_user: str | None, sdp: str):  # type: ignore[no-untyped-def]
    headers = dict(SDP)
    if as_user is not None:
        headers["Authorization"] = f"Bearer {await api.token(as_user)}"
    return await api.client.post("/api/v1" + path, data=sdp, headers=headers)


@dataclass
class Published:
    pc: RTCPeerConnection
    track: MovingBar
    location: str

    async def close(self) -> None:
        await self.pc.close()


async def publish(api: ApiClient, stream_id: str, as_user: str = "olivia") -> Published:
    """Publish the moving bar over WHIP; the session, once the answer is applied."""
    pc, track = new_peer(), MovingBar()
    pc.addTransceiver(track, direction="sendonly")
    response = await post_sdp(api, f"/streams/{stream_id}/whip", as_user, await offer(pc))
    assert response.status == 201, await response.text()
    assert response.content_type == "application/sdp"
    await accept(pc, await response.text())
    return Published(pc, track, response.headers["Location"])


@dataclass
class Watching:
    watcher: Watcher
    location: str


async def watch(api: ApiClient, stream_id: str, as_user: str = "quinn") -> Watching:
    """Watch a stream over WHEP with a decoding aiortc viewer."""
    watcher = Watcher()
    response = await post_sdp(api, f"/streams/{stream_id}/whep", as_user, await offer(watcher.pc))
    if response.status != 201:
        await watcher.close()
        raise AssertionError(f"{response.status} {await response.text()}")
    await accept(watcher.pc, await response.text())
    return Watching(watcher, response.headers["Location"])


async def delete(api: ApiClient, location: str, as_user: str) -> int:
    token = await api.token(as_user)
    headers = {"Authorization": f"Bearer {token}"}
    async with api.client.delete(location, headers=headers) as response:
        return response.status


@contextlib.asynccontextmanager
async def closing(*peers: Published | Watching):  # type: ignore[no-untyped-def]
    try:
        yield
    finally:
        for peer in peers:
            await (peer.close() if isinstance(peer, Published) else peer.watcher.close())
