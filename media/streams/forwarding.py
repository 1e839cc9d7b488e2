"""One viewer's share of a relayed track: the publisher's RTP packets, forwarded as they
arrive with this viewer's SSRC, sequence numbers and timestamps, the payload untouched."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from aiortc.rtp import RtpPacket

from media.streams.aiortc_seams import ForwardedPacket, PacketPort

_SEQUENCE = 1 << 16
_TIMESTAMP = 1 << 32


class Forwarder:
    """Rewrites and sends the packets of one track to one viewer.

    A viewer can only start decoding at a keyframe, so the forwarder waits for the first
    packet of one (`restart`), on joining, once its connection is up, and whenever it has lost
    what it cannot get back. Its numbering stays continuous through such restarts and through
    a change of the publisher's source: sequence numbers go on from the last one sent (the
    packets skipped are not missed), timestamps from the last one sent plus the time since.
    """

    def __init__(self, clock_rate: int, request_keyframe: Callable[[], None]) -> None:
        self.port: PacketPort | None = None
        self._clock_rate = clock_rate
        self._request_keyframe = request_keyframe
        self.waiting = True
        self.forwarded = 0
        self.restarts = 0
        self._source: int | None = None
        self._sequence_offset = 0
        self._first_sequence = 0  # the publisher's, of the packet resumed at
        self._timestamp_offset = 0
        self._next_sequence = random.randrange(_SEQUENCE // 2)
        self._last_timestamp = random.randrange(_TIMESTAMP)
        self._last_sent_at: float | None = None

    def attach(self, port: PacketPort) -> None:
        self.port = port

    def restart(self) -> None:
        """Wait for the next keyframe, and ask the publisher for one."""
        self.waiting = True
        self.restarts += 1
        self._request_keyframe()

    def _resume(self, packet: RtpPacket) -> None:
        """Number from `packet` on so that it follows the last packet sent."""
        self._sequence_offset = (self._next_sequence - packet.sequence_number) % _SEQUENCE
        self._first_sequence = packet.sequence_number
        if packet.ssrc != self._source:
            elapsed = 0.0 if self._last_sent_at is None else time.monotonic() - self._last_sent_at
            first = self._last_timestamp + max(1, round(elapsed * self._clock_rate))
            self._timestamp_offset = (first - packet.timestamp) % _TIMESTAMP
            self._source = packet.ssrc
        self.waiting = False

    async def forward(self, packet: RtpPacket, starts_keyframe: bool) -> None:
        """Send the publisher's `packet` to this viewer, unless it waits for a keyframe."""
        port = self.port
        if port is None or port.payload_type is None:
            return
        if packet.ssrc != self._source and not self.waiting:
            self.waiting = True  # the publisher's source changed: start at its next keyframe
        if self.waiting:
            if not starts_keyframe:
                return
            self._resume(packet)
        elif (packet.sequence_number - self._first_sequence) % _SEQUENCE >= _SEQUENCE // 2:
            return  # a late retransmission of a packet from before the restart
        sequence = (packet.sequence_number + self._sequence_offset) % _SEQUENCE
        timestamp = (packet.timestamp + self._timestamp_offset) % _TIMESTAMP
        out = ForwardedPacket(
            port.payload_type, packet.marker, sequence, timestamp, port.ssrc, packet.payload
        )
        try:
            await port.send(out)
        except ConnectionError:
            self.waiting = True  # not connected (yet, or any more): nothing was sent
            return
        if (sequence - self._next_sequence) % _SEQUENCE < _SEQUENCE // 2:
            self._next_sequence = (sequence + 1) % _SEQUENCE
            self._last_timestamp = timestamp
            self._last_sent_at = time.monotonic()
        self.forwarded += 1
