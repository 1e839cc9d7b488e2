"""aiortc peers that relay encoded media: a publisher whose packets are forwarded and whose
frames are never decoded on the way, and viewers whose senders send those packets as they are.

aiortc has no public hook for either; the seams used are in `media.streams.aiortc_seams`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError

from media.streams.aiortc_seams import PacketPort, frames_tapped, send_pli, tap_frames, tap_packets
from media.streams.codecs import is_keyframe, preferences
from media.streams.exceptions import OfferRejected
from media.streams.forwarding import Forwarder
from media.streams.frames import EncodedFrame
from media.streams.offers import NEGOTIATION_ERRORS, parse_offer, publisher_codecs, viewer_codecs
from media.streams.relay import Relay

VIDEO_TIME_BASE = fractions.Fraction(1, 90_000)
# RFC 7587 4.1: Opus always uses a 48 kHz RTP clock.
AUDIO_TIME_BASE = fractions.Fraction(1, 48_000)
# Called with the reason a peer is gone (its connection failed or closed, or it went quiet).
OnGone = Callable[[str], None]


@dataclass(frozen=True)
class PeerSettings:
    """How the server's peers connect (STUN/TURN servers, as RTCIceServer dictionaries), and
    when a silent publisher counts as gone.

    `idle_timeout`: seconds without a single RTP packet from a publisher before its stream is
    ended. ICE consent freshness (RFC 7675) notices a vanished peer too, but aiortc gives up
    only after six failed checks five seconds apart (about 30 s); None leaves it at that.
    Packets, not frames, count: under loss aiortc's jitter buffer may hold frames back for
    seconds while the publisher is still there.
    """

    ice_servers: tuple[dict[str, Any], ...] = ()  # checked by media.streams.ice
    idle_timeout: float | None = 10.0

    def configuration(self) -> RTCConfiguration:
        return RTCConfiguration(iceServers=[RTCIceServer(**entry) for entry in self.ice_servers])


async def _answer(pc: RTCPeerConnection, offer: str, kept: list[RTCRtpTransceiver]) -> str:
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        for transceiver in pc.getTransceivers():
            if transceiver not in kept:
                # Another m-line, or a codec the relay cannot carry: declined, not decoded.
                transceiver.direction = "inactive"
        await pc.setLocalDescription(await pc.createAnswer())
    except NEGOTIATION_ERRORS as exc:
        raise OfferRejected(f"the offer cannot be negotiated: {exc}") from exc
    # aiortc gathers every candidate before setLocalDescription returns: the answer is
    # complete, as WHIP/WHEP without trickle ICE require.
    return pc.localDescription.sdp


def _watch(pc: RTCPeerConnection, on_gone: OnGone, who: str) -> None:
    @pc.on("connectionstatechange")
    def _changed() -> None:
        if pc.connectionState in ("failed", "closed"):
            on_gone(f"{who} connection {pc.connectionState}")


class Publisher:
    """The server's end of one WHIP session: receives video and/or audio, feeds the relays."""

    def __init__(
        self,
        relay: Relay,
        on_gone: OnGone = lambda reason: None,
        *,
        audio: Relay | None = None,
        settings: PeerSettings | None = None,
    ) -> None:
        self.relay = relay
        self.audio = audio if audio is not None else Relay("audio")
        self._settings = settings or PeerSettings()
        self.pc = RTCPeerConnection(self._settings.configuration())
        self._transceivers: dict[str, RTCRtpTransceiver] = {}
        self._on_gone = on_gone
        relay.keyframes.send = self._send_pli
        _watch(self.pc, on_gone, "the publisher's")
        self._pending: set[asyncio.Future[None]] = set()
        self._answered_at = datetime.now(UTC)
        self._idle_check: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def decoder_tapped(self) -> bool:
        """Whether every receiver hands its frames to a relay instead of a decoder."""
        return bool(self._transceivers) and all(
            frames_tapped(t.receiver) for t in self._transceivers.values()
        )

    async def answer(self, offer: str) -> str:
        """Negotiate the publisher's offer, each track in the first relayed codec it lists."""
        chosen = publisher_codecs(parse_offer(offer))
        for kind, capability in chosen.items():
            relay = self.relay if kind == "video" else self.audio
            transceiver = self.pc.addTransceiver(kind, direction="recvonly")
            transceiver.setCodecPreferences(preferences(capability.mimeType, capability))
            self._tap(transceiver, relay)
            self._transceivers[kind] = transceiver
        answer = await _answer(self.pc, offer, list(self._transceivers.values()))
        for kind, capability in chosen.items():
            (self.relay if kind == "video" else self.audio).codec = capability.mimeType
        self._answered_at = datetime.now(UTC)
        if self._settings.idle_timeout is not None:
            self._idle_check = asyncio.ensure_future(self._end_when_idle())
        return answer

    def _tap(self, transceiver: RTCRtpTransceiver, relay: Relay) -> None:
        tap_packets(transceiver.receiver, relay.forward)
        tap_frames(transceiver.receiver, functools.partial(self._on_frame, relay))

    def _on_frame(self, relay: Relay, codec: Any, encoded_frame: Any) -> None:
        data = bytes(encoded_frame.data)
        keyframe = is_keyframe(codec.mimeType, data)
        relay.publish(EncodedFrame(data, encoded_frame.timestamp, keyframe))

    def _last_packet_at(self) -> datetime:
        """When the last RTP packet arrived on any track (or the session began)."""
        # aiortc lists the sources heard from in the last 10 s, with their last packet's time.
        heard = [
            source.timestamp
            for transceiver in self._transceivers.values()
            for source in transceiver.receiver.getSynchronizationSources()
        ]
        return max([self._answered_at, *heard])

    async def _end_when_idle(self) -> None:
        timeout = self._settings.idle_timeout
        assert timeout is not None
        while not self._closed:
            await asyncio.sleep(timeout / 5)
            if (datetime.now(UTC) - self._last_packet_at()).total_seconds() > timeout:
                self._on_gone(f"no media from the publisher for {timeout:g} s")
                return

    def _send_pli(self) -> None:
        transceiver = self._transceivers.get("video")
        if transceiver is None or self._closed:
            return
        # RFC 4585 6.3.1: a Picture Loss Indication makes the sender send a keyframe. It must
        # name the media SSRC; browsers also send retransmission/padding packets on a second
        # SSRC (often first, to probe bandwidth), so every SSRC heard from is named.
        for source in transceiver.receiver.getSynchronizationSources():
            task = asyncio.ensure_future(send_pli(transceiver.receiver, source.source))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def close(self) -> None:
        """End the session and its relays. Safe to call twice."""
        self._closed = True
        if self._idle_check is not None:
            self._idle_check.cancel()
        self.relay.end()
        self.audio.end()
        await self.pc.close()


class _RelayedTrack(MediaStreamTrack):
    """A viewer's track as aiortc sees it: its sender sends the forwarded packets itself
    (`PacketPort`), so nothing is ever read from the track."""

    time_base: fractions.Fraction
    clock_rate: int

    def __init__(self, forwarder: Forwarder) -> None:
        super().__init__()
        self.forwarder = forwarder

    async def recv(self) -> av.Packet:  # type: ignore[override]
        raise MediaStreamError("a relayed track's packets are forwarded, not read")


class RelayedVideoTrack(_RelayedTrack):
    kind = "video"
    time_base = VIDEO_TIME_BASE
    clock_rate = VIDEO_TIME_BASE.denominator


class RelayedAudioTrack(_RelayedTrack):
    kind = "audio"
    time_base = AUDIO_TIME_BASE
    clock_rate = AUDIO_TIME_BASE.denominator


class Viewer:
    """The server's end of one WHEP session: forwards the relays' packets to one viewer.

    `transceiver` is the video one (None when the viewer receives audio only).
    """

    def __init__(
        self,
        relay: Relay,
        on_gone: OnGone = lambda reason: None,
        *,
        audio: Relay | None = None,
        settings: PeerSettings | None = None,
    ) -> None:
        self.relay = relay
        self.audio = audio
        self.pc = RTCPeerConnection((settings or PeerSettings()).configuration())
        self.transceiver: RTCRtpTransceiver | None = None
        self.tracks: list[_RelayedTrack] = []
        self._relays = {r.kind: r for r in (relay, audio) if r is not None}
        _watch(self.pc, on_gone, "the viewer's")

    async def answer(self, offer: str) -> str:
        """Negotiate the viewer's offer; each track it can receive is sent in the
        publisher's own codec."""
        carried = {kind: r.codec for kind, r in self._relays.items() if r.codec is not None}
        chosen = viewer_codecs(parse_offer(offer), carried)
        kept = []
        for kind, mime_type in chosen.items():
            relay = self._relays[kind]
            kind_track = RelayedVideoTrack if kind == "video" else RelayedAudioTrack
            forwarder = relay.add_forwarder(kind_track.clock_rate)
            track = kind_track(forwarder)
            self.tracks.append(track)
            transceiver = self.pc.addTransceiver(track, direction="sendonly")
            transceiver.setCodecPreferences(preferences(mime_type))
            forwarder.attach(
                PacketPort(
                    transceiver.sender,
                    forwarder.restart,
                    relay.keyframes.request,
                    forwarder.restart,
                )
            )
            if kind == "video":
                self.transceiver = transceiver
            kept.append(transceiver)
        return await _answer(self.pc, offer, kept)

    async def close(self) -> None:
        """Stop watching; other viewers are not touched. Safe to call twice."""
        for track in self.tracks:
            self._relays[track.kind].remove_forwarder(track.forwarder)
            with contextlib.suppress(MediaStreamError):
                track.stop()
        await self.pc.close()
