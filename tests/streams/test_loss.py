"""A viewer on a lossy path gets its lost packets again (NACK, answered with RTX) and keeps
decoding; the other viewers do not notice."""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.streams.peers import Watcher, accept, offer
from tests.streams.sessions import post_sdp, publish, watch

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

LOSS = 0.02
_CANDIDATE = re.compile(r"^a=candidate:(\S+) 1 udp (\d+) (\d+\.\d+\.\d+\.\d+) (\d+) typ host", re.M)


class _Forward(asyncio.DatagramProtocol):
    def __init__(self, deliver: Any) -> None:
        self.deliver = deliver
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.deliver(data, addr)


class LossyPath:
    """A UDP proxy between a viewer and the server, the only route between them (each side is
    told only of the proxy's address), that drops `LOSS` of the server's RTP packets (never
    STUN, DTLS or RTCP), counting what it dropped and the retransmissions (RTX payload type
    `rtx`) it let through."""

    def __init__(self, viewer: tuple[str, int]) -> None:
        self._viewer = viewer
        self.server: tuple[str, int] | None = None
        self.rtx: int | None = None
        self._random = random.Random(19)
        self.dropped = self.retransmitted = 0
        self.front = _Forward(self._from_viewer)  # faces the viewer
        self.back = _Forward(self._from_server)  # faces the server

    async def start(self) -> tuple[int, int]:
        """Open both sockets, on the viewer's address: their ports (front, back)."""
        loop = asyncio.get_running_loop()
        host = self._viewer[0]
        ports = []
        for side in (self.front, self.back):
            await loop.create_datagram_endpoint(lambda side=side: side, local_addr=(host, 0))
            assert side.transport is not None
            ports.append(int(side.transport.get_extra_info("sockname")[1]))
        return ports[0], ports[1]

    def _from_viewer(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.server is not None and self.back.transport is not None:
            self.back.transport.sendto(data, self.server)

    def _from_server(self, data: bytes, addr: tuple[str, int]) -> None:
        rtp = len(data) > 12 and 128 <= data[0] < 192 and not 192 <= data[1] <= 223
        if rtp and data[1] & 0x7F == self.rtx:
            self.retransmitted += 1
        elif rtp and self._random.random() < LOSS:
            self.dropped += 1
            return
        if self.front.transport is not None:
            self.front.transport.sendto(data, self._viewer)

    def close(self) -> None:
        for side in (self.front, self.back):
            if side.transport is not None:
                side.transport.close()


def _via(sdp: str, port: int) -> tuple[str, tuple[str, int]]:
    """`sdp` with its first IPv4 host candidate only, moved to `port` on the same address;
    and the address it had."""
    found = _CANDIDATE.search(sdp)
    assert found, sdp
    candidate = f"a=candidate:{found[1]} 1 udp {found[2]} {found[3]} {port} typ host"
    kept = [line for line in sdp.splitlines() if not line.startswith("a=candidate:")]
    media = next(i for i, line in enumerate(kept) if line.startswith("m=video"))
    kept.insert(media + 1, candidate)
    return "\r\n".join(kept) + "\r\n", (found[3], int(found[4]))


async def _watch_through(api: ApiClient, stream_id: str) -> tuple[Watcher, LossyPath]:
    """A viewer whose only route to the server is a lossy path."""
    watcher = Watcher()
    sdp = await offer(watcher.pc)
    found = _CANDIDATE.search(sdp)
    assert found, sdp
    path = LossyPath((found[3], int(found[4])))
    front, back = await path.start()
    proxied, _ = _via(sdp, back)
    response = await post_sdp(api, f"/streams/{stream_id}/whep", "sam", proxied)
    assert response.status == 201, await response.text()
    answer, path.server = _via(await response.text(), front)
    rtx = re.search(r"^a=rtpmap:(\d+) rtx/90000", answer, re.M)
    assert rtx, answer
    path.rtx = int(rtx[1])
    await accept(watcher.pc, answer)
    return watcher, path


async def test_a_viewer_losing_packets_recovers_them_and_the_others_do_not_notice(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    steady = await watch(api, batch["id"])
    lossy, path = await _watch_through(api, batch["id"])
    try:
        await steady.watcher.wait_for_frames(5)
        await lossy.wait_for_frames(5)
        relay = live.get(StreamId.parse(batch["id"])).relay
        requests_before = relay.keyframes.sent
        await asyncio.gather(steady.watcher.wait_for_frames(150), lossy.wait_for_frames(150))

        assert path.dropped > 0
        assert path.retransmitted > 0  # the server answered the viewer's NACKs
        # A lost packet comes back; the stream need not start again at a keyframe for it.
        assert relay.keyframes.sent - requests_before <= 2
    finally:
        await lossy.close()
        path.close()
        await steady.watcher.close()
        await publisher.close()
