"""Below aiortc's send path: a viewer's packets are protected as pylibsrtp protects them, and
sent on the nominated pair's UDP socket, or through its transport when that socket cannot
take them or the pair is not a plain UDP one (TURN)."""

from __future__ import annotations

import asyncio

import pylibsrtp
import pytest
from aioice import Candidate
from aioice.ice import CandidatePair, Connection, StunProtocol

from media.streams.aiortc_seams import SeamMissing, _Protector, _Route

KEY = bytes(range(30))  # AES-128 master key and salt


def _session() -> pylibsrtp.Session:
    policy = pylibsrtp.Policy(key=KEY, ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
    return pylibsrtp.Session(policy)


def _rtp(sequence: int, size: int = 1100) -> bytes:
    header = bytes([0x80, 96]) + sequence.to_bytes(2, "big") + bytes(4) + b"\x12\x34\x56\x78"
    return header + bytes(n % 251 for n in range(size))


def test_protection_gives_the_bytes_pylibsrtp_gives_for_the_same_session_state() -> None:
    ours, theirs = _session(), _session()
    protector = _Protector(ours)
    for sequence in range(300):
        packet = _rtp(sequence, size=10 + sequence * 4)
        # aiortc's retransmissions still protect through pylibsrtp, on the same session.
        made = protector.protect(packet) if sequence % 3 else ours.protect(packet)
        assert made == theirs.protect(packet)


def test_a_refused_packet_raises_as_pylibsrtp_refuses_it() -> None:
    ours, theirs = _session(), _session()
    protector = _Protector(ours)
    too_long = _rtp(1, size=1500)
    with pytest.raises(ValueError, match="packet is too long"):
        theirs.protect(too_long)
    with pytest.raises(ValueError, match="packet is too long"):
        protector.protect(too_long)
    theirs.protect(_rtp(2))
    protector.protect(_rtp(2))
    with pytest.raises(pylibsrtp.Error) as refused_by_theirs:
        theirs.protect(_rtp(2))  # the same sequence number again: a replay
    with pytest.raises(pylibsrtp.Error) as refused_by_ours:
        protector.protect(_rtp(2))
    assert str(refused_by_ours.value) == str(refused_by_theirs.value)
    assert protector.protect(_rtp(3)) == theirs.protect(_rtp(3))


class _Collector(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: asyncio.Queue[bytes] = asyncio.Queue()
        self.transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.put_nowait(data)


class _Protocol(StunProtocol):
    """aioice's protocol, noting the errors asyncio reports to it."""

    def __init__(self) -> None:
        super().__init__(Connection(ice_controlling=True))
        self.errors: list[Exception] = []

    def error_received(self, exc: Exception) -> None:
        self.errors.append(exc)


async def _pair(host: str = "127.0.0.1") -> tuple[CandidatePair, _Protocol, _Collector]:
    """An ICE pair from a local host candidate to a viewer listening on 127.0.0.1 (the
    remote candidate at `host`, on the viewer's port)."""
    loop = asyncio.get_running_loop()
    protocol = _Protocol()
    await loop.create_datagram_endpoint(lambda: protocol, local_addr=("127.0.0.1", 0))
    viewer = _Collector()
    transport, _ = await loop.create_datagram_endpoint(lambda: viewer, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    remote = Candidate("1", 1, "udp", 1, host, port, "host")
    return CandidatePair(protocol, remote), protocol, viewer


async def test_a_plain_udp_pair_is_sent_on_with_its_socket() -> None:
    pair, _, viewer = await _pair()
    route = _Route(pair)
    assert route.socket is not None
    for n in range(3):
        route.send(b"datagram %d" % n)
    async with asyncio.timeout(5):
        assert [await viewer.received.get() for _ in range(3)] == [
            b"datagram 0",
            b"datagram 1",
            b"datagram 2",
        ]
    pair.protocol.transport.close()
    viewer.transport.close()


async def test_a_socket_that_fails_leaves_the_datagram_to_asyncio_which_reports_it() -> None:
    # A broadcast address without SO_BROADCAST: the system call refuses the datagram.
    pair, protocol, viewer = await _pair("255.255.255.255")
    route = _Route(pair)
    assert route.socket is not None
    route.send(b"datagram")  # no exception: asyncio hands the error to the protocol
    assert len(protocol.errors) == 1 and isinstance(protocol.errors[0], PermissionError)
    pair.protocol.transport.close()
    viewer.transport.close()


class _RelayedTransport:
    """Stands in for aioice's `TurnTransport`: datagrams go through a TURN server."""

    def __init__(self, inner: asyncio.DatagramTransport) -> None:
        self.inner = inner
        self.sent = 0

    def sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        self.sent += 1
        self.inner.sendto(data, addr)


async def test_a_pair_through_another_transport_sends_through_that_transport() -> None:
    pair, protocol, viewer = await _pair()
    relayed = _RelayedTransport(protocol.transport)
    protocol.transport = relayed  # type: ignore[assignment]
    route = _Route(pair)
    assert route.socket is None
    route.send(b"relayed")
    async with asyncio.timeout(5):
        assert await viewer.received.get() == b"relayed"
    assert relayed.sent == 1
    relayed.inner.close()
    viewer.transport.close()


def test_a_pylibsrtp_without_the_session_state_relied_on_is_named_at_once() -> None:
    class Changed:  # a later pylibsrtp's Session, its libsrtp session kept elsewhere
        def protect(self, packet: bytes) -> bytes:
            return packet

    with pytest.raises(SeamMissing, match="_srtp"):
        _Protector(Changed())  # type: ignore[arg-type]
