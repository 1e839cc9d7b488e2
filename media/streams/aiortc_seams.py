"""Every use the relay makes of aiortc below its public API, in one place.

Checked against aiortc 1.16.0 and the aioice 0.13.0 below it. The methods are checked when
this module is imported (at server start), each peer's state when a seam is attached;
`SeamMissing` names what an aiortc upgrade took away, so a changed aiortc fails at once rather
than relaying nothing:
- Receiver, decoder queue (`__decoder_queue`): each reassembled frame is handed to a decoder
  thread through it; `tap_frames` puts a stand-in there that hands the frame to the relay, so
  no decoder is ever made (recording, live scanning and anchoring read those frames).
- Receiver, `_handle_rtp_packet(packet, arrival_time_ms)`: called for every decrypted RTP
  packet; `tap_packets` sees each one first (retransmissions unwrapped with the receiver's
  `__codecs` and `__rtx_ssrc`), then lets aiortc go on (jitter buffer, NACKs, statistics).
- Receiver, `_send_rtcp_pli(ssrc)`: a Picture Loss Indication to the publisher.
- Sender, `_run_rtp(codec)`: its loop pulling frames from the track and packetizing them;
  `PacketPort` replaces it by one that only marks the sender started (and makes its
  `__encoder` as aiortc would, never used), and sends forwarded packets itself, counted in
  its sender-report figures (`__ntp_timestamp`, `__rtp_timestamp`, `__packet_count`,
  `__octet_count`). It keeps the last packets sent as bytes; a NACKed one is parsed back (with
  the sender's `__rtp_header_extensions_map`) into the sender's `__rtp_history` just before
  aiortc's own `_retransmit` resends it (as RTX when negotiated).
- The send path below the sender, done by `PacketPort` as aiortc and aioice do it but without
  their four coroutines and per-packet serializing: the header is laid out once per viewer by
  `RtpPacket.serialize` with the sender's `__mid` and extensions map (only sequence number,
  timestamp, marker and abs-send-time change per packet); then the DTLS transport's
  `_send_rtp`: its `_state` must be `CONNECTED`, `_tx_srtp.protect`, its `__tx_bytes` and
  `__tx_packets` counted; then aioice 0.13.0's `Connection.sendto`: the pair nominated for
  component 1 (`_nominated`, on the ICE transport's `_connection`) sends with its protocol's
  `transport.sendto(data, remote_addr)` (what `StunProtocol.send_data` does; through TURN that
  transport is aioice's `TurnTransport`).
- Below those two, per packet: SRTP protection calls libsrtp's `srtp_protect` through
  pylibsrtp 1.0.0's cffi `lib` on the session's `_srtp`, in a buffer of the viewer's own as
  large as the session's `_cdata`, as `Session.protect` does (same size limit, same
  `pylibsrtp.Error` from its `ERRORS`); a pair whose transport is asyncio's plain UDP one
  (`_SelectorDatagramTransport`, not connected: host, srflx and peer-reflexive pairs) is sent
  on with its socket's own `sendto` (`_sock`) while the transport holds nothing buffered
  (`_buffer`), and through `transport.sendto` when the socket would block or fails, so asyncio
  buffers or reports it as before. Other transports (TURN, any other event loop's) always go
  through `transport.sendto`.
- Sender, `_send_keyframe` (its answer to a viewer's PLI/FIR) and `_retransmit` (wrapped, to
  notice a NACK for a packet no longer held): redirected to the relay.
"""

from __future__ import annotations

import asyncio
import asyncio.selector_events
import queue
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from aioice.ice import Connection, StunProtocol
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.codecs import get_encoder, is_rtx
from aiortc.rtcdtlstransport import State
from aiortc.rtp import RTP_HISTORY_SIZE, RtpPacket, unwrap_rtx
from pylibsrtp import ERRORS as _SRTP_ERRORS
from pylibsrtp import SRTP_MAX_TRAILER_LEN, Session
from pylibsrtp import Error as SrtpError
from pylibsrtp._binding import ffi as _srtp_ffi
from pylibsrtp._binding import lib as _srtp_lib

AIORTC_CHECKED = "1.16.0 (and aioice 0.13.0, pylibsrtp 1.0.0 and CPython 3.11's asyncio below it)"
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
# Seconds from the NTP epoch (1900) to the Unix epoch (1970).
_NTP_UNIX_OFFSET_NS = 2_208_988_800 * 1_000_000_000
_FIXED_HEADER = struct.Struct("!BBHLL")  # RFC 3550 5.1, without CSRCs
_ABS_SEND_TIME_BYTES = 3
_CONNECTED = State.CONNECTED
_DTLS = "_RTCDtlsTransport__"
_DTLS_STATE = ("tx_bytes", "tx_packets")
_RECEIVER_METHODS = ("_handle_rtp_packet", "_send_rtcp_pli")
_SENDER_METHODS = ("_run_rtp", "_send_keyframe", "_retransmit")
_SRTP_OK = _srtp_lib.srtp_err_status_ok
_srtp_protect = _srtp_lib.srtp_protect
_UDP_TRANSPORT = asyncio.selector_events._SelectorDatagramTransport
_UDP_TRANSPORT_STATE = ("sock", "buffer", "address")
OnPacket = Callable[[RtpPacket], Awaitable[None]]


class ForwardedPacket(NamedTuple):
    """A packet to send through a `PacketPort`: what `PacketPort.send` reads of an
    `RtpPacket`, made per viewer and packet at a fraction of an `RtpPacket`'s cost (one
    object, where an `RtpPacket` also makes its header extensions and CSRC list)."""

    payload_type: int
    marker: int
    sequence_number: int
    timestamp: int
    ssrc: int
    payload: bytes


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
_check(Connection, "", (), ("sendto",))
_check(StunProtocol, "", (), ("send_data",))
_check(Session, "", (), ("protect",))
_check(_UDP_TRANSPORT, "", (), ("sendto",))


def check_receiver(receiver: RTCRtpReceiver) -> None:
    _check(receiver, _RECEIVER, _RECEIVER_STATE, _RECEIVER_METHODS)


def check_sender(sender: RTCRtpSender) -> None:
    _check(sender, _SENDER, _SENDER_STATE, _SENDER_METHODS)
    dtls = sender.transport
    _check(dtls, "_", ("state", "tx_srtp"), ())
    _check(dtls, _DTLS, _DTLS_STATE, ())
    _check(dtls.transport, "_", ("connection",), ())
    _check(dtls.transport._connection, "_", ("nominated",), ())


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


def ntp_now() -> int:
    """The wall clock as a 64-bit NTP timestamp (32.32 fixed point), as aiortc's clock gives it."""
    return ((time.time_ns() + _NTP_UNIX_OFFSET_NS) << 32) // 1_000_000_000


class _HeaderLayout:
    """One viewer's RTP header, laid out once by aiortc: its fixed part (version and
    extension bits, payload type, SSRC) and its header extensions (the sender's MID, and
    abs-send-time when negotiated, at `_abs_send_time`), to be filled in per packet."""

    def __init__(self, sender: Any, payload_type: int) -> None:
        extensions_map = getattr(sender, _EXTENSIONS)
        laid_out = []
        for abs_send_time in (0, 0xFFFFFF):
            template = RtpPacket(payload_type=payload_type, ssrc=sender._ssrc)
            template.extensions.mid = getattr(sender, _MID)
            template.extensions.abs_send_time = abs_send_time
            laid_out.append(template.serialize(extensions_map))
        low, high = laid_out
        self._first = low[0]
        self._payload_type = payload_type
        self._ssrc = sender._ssrc
        changed = [i for i in range(len(low)) if low[i] != high[i]]
        self._abs_send_time = changed[0] if changed else None
        self._extensions = low[_FIXED_HEADER.size :]

    def serialize(self, packet: RtpPacket | ForwardedPacket, abs_send_time: int) -> bytes:
        """`packet` as `RtpPacket.serialize` would give it with this sender's extensions."""
        fixed = _FIXED_HEADER.pack(
            self._first,
            (packet.marker << 7) | self._payload_type,
            packet.sequence_number,
            packet.timestamp,
            self._ssrc,
        )
        at = self._abs_send_time
        if at is None:
            return b"".join((fixed, self._extensions, packet.payload))
        at -= _FIXED_HEADER.size
        extensions = self._extensions
        return b"".join(
            (
                fixed,
                extensions[:at],
                abs_send_time.to_bytes(_ABS_SEND_TIME_BYTES, "big"),
                extensions[at + _ABS_SEND_TIME_BYTES :],
                packet.payload,
            )
        )


class _Protector:
    """SRTP protection of one viewer's RTP packets: what pylibsrtp's `Session.protect` does
    (the same libsrtp call on the same session, the same refusals), without its per-call
    allocations, in a buffer of this viewer's own."""

    def __init__(self, session: Session) -> None:
        _check(session, "_", ("srtp", "cdata"), ("protect",))
        self.session = session  # held: libsrtp's session lives as long as this object
        self._srtp = session._srtp[0]  # type: ignore[attr-defined]
        # As large as the session's own buffer, with the same room left for SRTP's trailer.
        size = len(session._cdata)  # type: ignore[attr-defined]
        self._plain_limit = size - SRTP_MAX_TRAILER_LEN
        self._cdata = _srtp_ffi.new("char[]", size)
        self._buffer = _srtp_ffi.buffer(self._cdata)
        self._length = _srtp_ffi.new("int *")

    def protect(self, plain: bytes) -> bytes:
        """`plain` protected; ValueError or `pylibsrtp.Error` as `Session.protect` raises."""
        size = len(plain)
        if size > self._plain_limit:
            raise ValueError("packet is too long")
        buffer, length = self._buffer, self._length
        buffer[0:size] = plain
        length[0] = size
        status = _srtp_protect(self._srtp, self._cdata, length)
        if status != _SRTP_OK:
            raise SrtpError(_SRTP_ERRORS[status])
        return buffer[0 : length[0]]


class _Route:
    """Where one viewer's datagrams go: the nominated ICE pair, sent on with its UDP socket
    directly when asyncio's transport would only pass them on to it."""

    def __init__(self, pair: Any) -> None:
        self.pair = pair
        self._address = pair.remote_addr
        self._transport = transport = pair.protocol.transport
        self.socket = None
        if type(transport) is _UDP_TRANSPORT:
            _check(transport, "_", _UDP_TRANSPORT_STATE, ())
            if transport._address is None:  # type: ignore[attr-defined]
                self.socket = transport._sock  # type: ignore[attr-defined]

    def send(self, data: bytes) -> None:
        socket, transport = self.socket, self._transport
        # Datagrams asyncio holds for a writable socket go first, to keep the order.
        if socket is None or transport._buffer:  # type: ignore[attr-defined]
            transport.sendto(data, self._address)
            return
        try:
            socket.sendto(data, self._address)
        except OSError:  # it would block, or fails: asyncio buffers it or reports the error
            transport.sendto(data, self._address)


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
        self._layout: _HeaderLayout | None = None
        self._on_started = on_started
        self._history: dict[int, RtpPacket] = getattr(sender, _SENDER + "rtp_history")
        # The last packets sent, as serialized (not yet protected), by sequence number modulo
        # aiortc's history size: bytes, which the garbage collector never has to look at.
        self._sent: list[bytes] = [b""] * RTP_HISTORY_SIZE
        self._retransmit = sender._retransmit
        sender._run_rtp = self._run  # type: ignore[method-assign]
        sender._send_keyframe = on_keyframe_wanted  # type: ignore[method-assign]
        sender._retransmit = self._resend  # type: ignore[method-assign]
        self._on_lost = on_lost
        self._protector: _Protector | None = None
        self._route: _Route | None = None

    async def _run(self, codec: Any) -> None:
        self._layout = _HeaderLayout(self.sender, codec.payloadType)
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
        index = sequence_number % RTP_HISTORY_SIZE
        held = self._sent[index]
        if not held or int.from_bytes(held[2:4], "big") != sequence_number:
            self._on_lost()
            return
        self._history[index] = RtpPacket.parse(held, getattr(self.sender, _EXTENSIONS))
        await self._retransmit(sequence_number)

    async def send(self, packet: ForwardedPacket | RtpPacket) -> None:
        """Send `packet` (its SSRC, sequence number and timestamp already this viewer's);
        ConnectionError when the viewer's transport is not (or no longer) connected."""
        sender: Any = self.sender
        # Looked up for each packet: aiortc gives a bundled sender its transport on connecting.
        layout, dtls = self._layout, sender.transport
        if layout is None or dtls._state is not _CONNECTED:
            raise ConnectionError("the viewer's transport is not connected")
        pair = dtls.transport._connection._nominated.get(1)
        if pair is None:
            raise ConnectionError("the viewer's ICE connection has no nominated pair")
        now = ntp_now()
        plain = layout.serialize(packet, (now >> 14) & 0x00FFFFFF)  # abs-send-time: 6.18 s
        self._sent[packet.sequence_number % RTP_HISTORY_SIZE] = plain
        protector, route = self._protector, self._route
        if protector is None or protector.session is not dtls._tx_srtp:
            protector = self._protector = _Protector(dtls._tx_srtp)
        if route is None or route.pair is not pair:
            route = self._route = _Route(pair)
        data = protector.protect(plain)
        route.send(data)
        dtls._RTCDtlsTransport__tx_bytes += len(data)
        dtls._RTCDtlsTransport__tx_packets += 1
        sender._RTCRtpSender__ntp_timestamp = now
        sender._RTCRtpSender__rtp_timestamp = packet.timestamp
        sender._RTCRtpSender__packet_count += 1
        sender._RTCRtpSender__octet_count += len(packet.payload)
