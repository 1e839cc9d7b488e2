"""Every use the relay makes of aiortc below its public API, in one place.

Checked against aiortc 1.16.0. The methods are checked when this module is imported (at
server start), each peer's state when a seam is attached; `SeamMissing` names what an aiortc
upgrade took away, so a changed aiortc fails at once rather than relaying nothing:
- Receiver, decoder queue (`__decoder_queue`): each reassembled frame is handed to a decoder
  thread through it; `tap_frames` puts a stand-in there that hands the frame to the relay, so
  no decoder is ever made (recording, live scanning and anchoring read those frames).
- Receiver, `_handle_rtp_packet(packet, arrival_time_ms)`: called for every decrypted RTP
  packet; `tap_packets` sees each one first (retransmissions unwrapped with the receiver's
  `__codecs` and `__rtx_ssrc`), then lets aiortc go on (jitter buffer, NACKs, statistics).
- Receiver, `_send_rtcp_pli(ssrc)`: a Picture Loss Indication to the publisher.
- Sender, `_run_rtp(codec)`: its loop pulling frames from the track and packetizing them;
  `PacketPort` replaces it by one that only marks the sender started (and makes its
  `__encoder` as aiortc would, never used), and sends forwarded
  packets itself: into the sender's `__rtp_history` (so aiortc's own NACK handling,
  `_retransmit`, resends them, as RTX when negotiated), with its `__mid` and
  `__rtp_header_extensions_map`, through `transport._send_rtp`, and counted in its sender-report
  figures (`__ntp_timestamp`, `__rtp_timestamp`, `__packet_count`, `__octet_count`).
- Sender, `_send_keyframe` (its answer to a viewer's PLI/FIR) and `_retransmit` (wrapped, to
  notice a NACK for a packet no longer held): redirected to the relay.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCRtpReceiver, RTCRtpSender, clock
from aiortc.codecs import get_encoder, is_rtx
from aiortc.rtp import RTP_HISTORY_SIZE, RtpPacket, unwrap_rtx

AIORTC_CHECKED = "1.16.0"
_RECEIVER = "_RTCRtpReceiver__"
_SENDER = "_RTCRtpSender__"
_RECEIVER_STATE = ("decoder_queue", "codecs", "rtx_ssrc")
_SENDER_STATE = (
    "encoder",
    "rtp_history",
    "rtp_started",
    "rtp_exited",
    "rtp_header_extensions_map",
    "mid",
    "ntp_timestamp",
    "rtp_timestamp",
    "packet_count",
    "octet_count",
)
_MID, _EXTENSIONS = _SENDER + "mid", _SENDER + "rtp_header_extensions_map"
_NTP_TIMESTAMP, _RTP_TIMESTAMP = _SENDER + "ntp_timestamp", _SENDER + "rtp_timestamp"
_PACKET_COUNT, _OCTET_COUNT = _SENDER + "packet_count", _SENDER + "octet_count"
_RECEIVER_METHODS = ("_handle_rtp_packet", "_send_rtcp_pli")
_SENDER_METHODS = ("_run_rtp", "_send_keyframe", "_retransmit")
OnPacket = Callable[[RtpPacket], Awaitable[None]]


class SeamMissing(RuntimeError):
    """This aiortc lacks something the relay relies on below its public API."""


def _check(peer: Any, prefix: str, state: tuple[str, ...], methods: tuple[str, ...]) -> None:
    missing = [prefix + name for name in state if not hasattr(peer, prefix + name)]
    missing += [name for name in methods if not callable(getattr(peer, name, None))]
    if missing:
        kind = peer if isinstance(peer, type) else type(peer)
        raise SeamMissing(
            f"aiortc {kind.__name__} has no {', '.join(missing)}"
            f" (the relay was checked against aiortc {AIORTC_CHECKED})"
        )


# The methods are checked when the server imports this module, the state on each peer.
_check(RTCRtpReceiver, _RECEIVER, (), _RECEIVER_METHODS)
_check(RTCRtpSender, _SENDER, (), _SENDER_METHODS)


def check_receiver(receiver: RTCRtpReceiver) -> None:
    _check(receiver, _RECEIVER, _RECEIVER_STATE, _RECEIVER_METHODS)


def check_sender(sender: RTCRtpSender) -> None:
    _check(sender, _SENDER, _SENDER_STATE, _SENDER_METHODS)


class _EncodedFrameTap:
    """Stands in for a receiver's decoder queue: frames go to `deliver`, never to a decoder.

    `put` is called on the event loop for each (codec, frame), and with None when the
    receiver stops; only that None reaches the idle decoder thread, which then exits.
    """

    def __init__(self, deliver: Callable[[Any, Any], None]) -> None:
        self._deliver = deliver
        self._control: queue.Queue[None] = queue.Queue()

    def put(self, item: tuple[Any, Any] | None) -> None:
        if item is None:
            self._control.put(None)
            return
        codec, encoded_frame = item
        self._deliver(codec, encoded_frame)

    def get(self) -> None:
        return self._control.get()


def tap_frames(receiver: RTCRtpReceiver, deliver: Callable[[Any, Any], None]) -> None:
    """Hand the receiver's reassembled (codec, frame)s to `deliver` instead of a decoder."""
    check_receiver(receiver)
    setattr(receiver, _RECEIVER + "decoder_queue", _EncodedFrameTap(deliver))


def frames_tapped(receiver: RTCRtpReceiver) -> bool:
    return isinstance(getattr(receiver, _RECEIVER + "decoder_queue", None), _EncodedFrameTap)


def tap_packets(receiver: RTCRtpReceiver, on_packet: OnPacket) -> None:
    """Await `on_packet` with each media packet (retransmissions unwrapped, padding-only
    packets left out) before aiortc handles it."""
    check_receiver(receiver)
    handle = receiver._handle_rtp_packet
    codecs: dict[int, Any] = getattr(receiver, _RECEIVER + "codecs")
    rtx_ssrc: dict[int, int] = getattr(receiver, _RECEIVER + "rtx_ssrc")

    async def tapped(packet: RtpPacket, arrival_time_ms: int) -> None:
        codec = codecs.get(packet.payload_type)
        media = packet
        if codec is not None and is_rtx(codec):
            apt, ssrc = codec.parameters.get("apt"), rtx_ssrc.get(packet.ssrc)
            media = None
            if len(packet.payload) > 2 and apt in codecs and ssrc is not None:
                media = unwrap_rtx(packet, payload_type=apt, ssrc=ssrc)
        if media is not None and media.payload and codec is not None:
            await on_packet(media)
        await handle(packet, arrival_time_ms=arrival_time_ms)

    receiver._handle_rtp_packet = tapped  # type: ignore[method-assign]


async def send_pli(receiver: RTCRtpReceiver, ssrc: int) -> None:
    """Send a Picture Loss Indication for the source `ssrc` of `receiver`."""
    await receiver._send_rtcp_pli(ssrc)


class PacketPort:
    """Sends ready-made RTP packets through an aiortc sender, which then encodes nothing.

    aiortc still runs the sender's RTCP: sender reports, receiver reports read into its
    statistics, REMB (read and ignored: there is no encoder to slow down) and NACKs answered
    from its history of the last packets sent. `on_started` is called once the connection is up
    and the sender starts; `on_keyframe_wanted` for a viewer's PLI or FIR; `on_lost` for a NACK
    of a packet no longer held.
    """

    def __init__(
        self,
        sender: RTCRtpSender,
        on_started: Callable[[], None],
        on_keyframe_wanted: Callable[[], None],
        on_lost: Callable[[], None],
    ) -> None:
        check_sender(sender)
        self.sender = sender
        self.ssrc = sender._ssrc
        self.payload_type: int | None = None  # known once started
        self._on_started = on_started
        self._history: dict[int, RtpPacket] = getattr(sender, _SENDER + "rtp_history")
        self._retransmit = sender._retransmit
        sender._run_rtp = self._run  # type: ignore[method-assign]
        sender._send_keyframe = on_keyframe_wanted  # type: ignore[method-assign]
        sender._retransmit = self._resend  # type: ignore[method-assign]
        self._on_lost = on_lost

    async def _run(self, codec: Any) -> None:
        self.payload_type = codec.payloadType
        # What aiortc makes before its first frame: for VP8 and H.264 a packetizer whose
        # encoder is only opened to encode, for Opus an encoder never opened. None is used.
        setattr(self.sender, _SENDER + "encoder", get_encoder(codec))
        getattr(self.sender, _SENDER + "rtp_started").set()
        self._on_started()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            pass
        finally:
            getattr(self.sender, _SENDER + "rtp_exited").set()

    async def _resend(self, sequence_number: int) -> None:
        held = self._history.get(sequence_number % RTP_HISTORY_SIZE)
        if held is None or held.sequence_number != sequence_number:
            self._on_lost()
            return
        await self._retransmit(sequence_number)

    async def send(self, packet: RtpPacket) -> None:
        """Send `packet` (its SSRC, sequence number and timestamp already this viewer's);
        ConnectionError when the viewer's transport is not (or no longer) connected."""
        sender = self.sender
        now = clock.current_ntp_time()
        packet.extensions.abs_send_time = (now >> 14) & 0x00FFFFFF
        packet.extensions.mid = getattr(sender, _MID)
        self._history[packet.sequence_number % RTP_HISTORY_SIZE] = packet
        await sender.transport._send_rtp(packet.serialize(getattr(sender, _EXTENSIONS)))
        setattr(sender, _NTP_TIMESTAMP, now)
        setattr(sender, _RTP_TIMESTAMP, packet.timestamp)
        setattr(sender, _PACKET_COUNT, getattr(sender, _PACKET_COUNT) + 1)
        setattr(sender, _OCTET_COUNT, getattr(sender, _OCTET_COUNT) + len(packet.payload))
