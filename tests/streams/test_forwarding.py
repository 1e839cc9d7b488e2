"""Packets are forwarded with the viewer's own numbering, from a keyframe's first packet on,
and keyframes are recognised in RTP payloads."""

from __future__ import annotations

from aiortc.rtp import RtpPacket

from media.streams.codecs import h264_starts_keyframe, vp8_starts_keyframe
from media.streams.forwarding import Forwarder

VIEWER_SSRC, VIEWER_PT = 1234, 96


class _Port:
    """Where a forwarder sends: records the packets (the aiortc sender is not involved)."""

    def __init__(self) -> None:
        self.ssrc, self.payload_type = VIEWER_SSRC, VIEWER_PT
        self.sent: list[RtpPacket] = []

    async def send(self, packet: RtpPacket) -> None:
        self.sent.append(packet)


def _packet(ssrc: int, sequence: int, timestamp: int, payload: bytes = b"x") -> RtpPacket:
    return RtpPacket(
        payload_type=100, sequence_number=sequence, timestamp=timestamp, ssrc=ssrc, payload=payload
    )


def _forwarder() -> tuple[Forwarder, _Port, list[int]]:
    requests: list[int] = []
    forwarder = Forwarder(90_000, lambda: requests.append(1))
    port = _Port()
    forwarder.attach(port)  # type: ignore[arg-type]
    return forwarder, port, requests


def test_vp8_keyframes_are_recognised_by_their_first_packet() -> None:
    # X=1, S=1, PID=0; extension I (15-bit picture id); then the frame tag, P bit clear.
    assert vp8_starts_keyframe(bytes([0x90, 0x80, 0x81, 0x23, 0x10]))
    assert not vp8_starts_keyframe(bytes([0x90, 0x80, 0x81, 0x23, 0x11]))  # a delta frame
    assert not vp8_starts_keyframe(bytes([0x80, 0x80, 0x81, 0x23, 0x10]))  # not its start
    assert vp8_starts_keyframe(bytes([0x10, 0x00]))  # no extension


def test_h264_keyframes_are_recognised_in_single_aggregated_and_fragmented_units() -> None:
    assert h264_starts_keyframe(bytes([0x67, 0x42]))  # a sequence parameter set
    assert h264_starts_keyframe(bytes([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68]))
    assert h264_starts_keyframe(bytes([0x7C, 0x85, 0xAA]))  # FU-A starting an IDR slice
    assert not h264_starts_keyframe(bytes([0x7C, 0x05, 0xAA]))  # ... its continuation
    assert not h264_starts_keyframe(bytes([0x41, 0x9A]))  # a non-IDR slice


async def test_a_viewer_starts_at_a_keyframe_with_its_own_continuous_numbering() -> None:
    forwarder, port, requests = _forwarder()

    await forwarder.forward(_packet(7, 100, 5000), starts_keyframe=False)
    assert port.sent == []
    await forwarder.forward(_packet(7, 101, 8000), starts_keyframe=True)
    await forwarder.forward(_packet(7, 102, 8000, b"payload"), starts_keyframe=False)
    forwarder.restart()
    await forwarder.forward(_packet(7, 103, 11000), starts_keyframe=False)
    await forwarder.forward(_packet(7, 104, 14000), starts_keyframe=True)
    await forwarder.forward(_packet(9, 1, 42), starts_keyframe=True)  # a new source
    await forwarder.forward(_packet(9, 2, 3042), starts_keyframe=False)

    sequences = [p.sequence_number for p in port.sent]
    assert sequences == [sequences[0] + n for n in range(5)]
    timestamps = [p.timestamp - port.sent[0].timestamp for p in port.sent]
    assert timestamps[:3] == [0, 0, 6000]  # the publisher's spacing, restart or not
    assert timestamps[4] - timestamps[3] == 3000 and timestamps[3] > timestamps[2]
    assert {p.ssrc for p in port.sent} == {VIEWER_SSRC}
    assert {p.payload_type for p in port.sent} == {VIEWER_PT}
    assert port.sent[1].payload == b"payload"
    assert requests == [1]


async def test_a_late_retransmission_from_before_a_restart_is_not_forwarded() -> None:
    forwarder, port, _ = _forwarder()
    await forwarder.forward(_packet(7, 10, 0), starts_keyframe=True)
    forwarder.restart()
    await forwarder.forward(_packet(7, 20, 9000), starts_keyframe=True)
    await forwarder.forward(_packet(7, 15, 6000), starts_keyframe=False)

    assert len(port.sent) == 2


async def test_nothing_is_sent_before_the_sender_knows_its_payload_type() -> None:
    forwarder, port, _ = _forwarder()
    port.payload_type = None  # type: ignore[assignment]
    await forwarder.forward(_packet(7, 1, 0), starts_keyframe=True)
    assert port.sent == []
