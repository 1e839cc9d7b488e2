"""aiortc peers that relay encoded video: a publisher whose frames are never decoded and
viewers whose senders packetize those frames without encoding them.

aiortc has no public hook for either, so two of its seams are used and checked at start:
- `RTCRtpReceiver` hands each reassembled frame to its decoder thread through a queue; the
  publisher's receiver gets a stand-in queue that passes the frame to the relay instead, so
  no decoder is ever created.
- `RTCRtpSender` packetizes without encoding when its track yields `av.Packet`s
  (`Encoder.pack`); its answer to a viewer's PLI/FIR (`_send_keyframe`) would only flag an
  encoder that never runs, so it is redirected to a rate-limited PLI towards the publisher.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import queue
from collections.abc import Callable
from typing import Any

import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc import exceptions as aiortc_errors
from aiortc import sdp as aiortc_sdp
from aiortc.mediastreams import MediaStreamError

from media.streams.exceptions import OfferRejected, StreamEnded
from media.streams.frames import EncodedFrame, ViewerQueue, is_vp8_keyframe
from media.streams.relay import Relay

VIDEO_TIME_BASE = fractions.Fraction(1, 90_000)
RELAYED_CODECS = ("video/VP8", "video/rtx")
_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_NEGOTIATION_ERRORS = (
    ValueError,
    LookupError,
    TypeError,
    aiortc_errors.InternalError,
    aiortc_errors.InvalidAccessError,
    aiortc_errors.InvalidStateError,
    aiortc_errors.OperationError,
)


def _video_codecs(kind: type[RTCRtpReceiver] | type[RTCRtpSender]) -> list[Any]:
    capabilities = kind.getCapabilities("video")
    assert capabilities is not None
    return [codec for codec in capabilities.codecs if codec.mimeType in RELAYED_CODECS]


def check_offer(offer: str, *, sends_video: bool) -> None:
    """Refuse an offer that is not SDP or has no video in the needed direction.

    A publisher's offer must send video (sendonly/sendrecv), a viewer's must receive it.
    """
    try:
        description = aiortc_sdp.SessionDescription.parse(offer)
    except _NEGOTIATION_ERRORS as exc:
        raise OfferRejected(f"the body is not an SDP offer: {exc}") from exc
    wanted = {"sendonly", "sendrecv"} if sends_video else {"recvonly", "sendrecv"}
    videos = [media for media in description.media if media.kind == "video"]
    if not videos:
        raise OfferRejected("the offer has no video")
    if not any(media.direction in wanted for media in videos):
        verb = "send" if sends_video else "receive"
        raise OfferRejected(f"the offer does not {verb} video")
    if not any(codec.mimeType == "video/VP8" for media in videos for codec in media.rtp.codecs):
        raise OfferRejected("the offer has no VP8 video")


class _EncodedFrameTap:
    """Stands in for a receiver's decoder queue: frames go to `deliver`, never to a decoder.

    `put` is called on the event loop for each frame, and with None when the receiver stops;
    only that None reaches the idle decoder thread, which then exits.
    """

    def __init__(self, deliver: Callable[[Any], None]) -> None:
        self._deliver = deliver
        self._control: queue.Queue[None] = queue.Queue()

    def put(self, item: tuple[Any, Any] | None) -> None:
        if item is None:
            self._control.put(None)
            return
        _codec, encoded_frame = item
        self._deliver(encoded_frame)

    def get(self) -> None:
        return self._control.get()


async def _answer(pc: RTCPeerConnection, offer: str) -> str:
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        for transceiver in pc.getTransceivers():
            if transceiver.kind != "video":
                # Only video is relayed; receiving audio would mean decoding it.
                transceiver.direction = "inactive"
        await pc.setLocalDescription(await pc.createAnswer())
    except _NEGOTIATION_ERRORS as exc:
        raise OfferRejected(f"the offer cannot be negotiated: {exc}") from exc
    # aiortc gathers every candidate before setLocalDescription returns: the answer is
    # complete, as WHIP/WHEP without trickle ICE require.
    return pc.localDescription.sdp


def _watch(pc: RTCPeerConnection, on_gone: Callable[[], None]) -> None:
    @pc.on("connectionstatechange")
    def _changed() -> None:
        if pc.connectionState in ("failed", "closed"):
            on_gone()


class Publisher:
    """The server's end of one WHIP session: receives VP8 and feeds the relay."""

    def __init__(self, relay: Relay, on_gone: Callable[[], None] = lambda: None) -> None:
        self.relay = relay
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._transceiver = self.pc.addTransceiver("video", direction="recvonly")
        self._transceiver.setCodecPreferences(_video_codecs(RTCRtpReceiver))
        receiver = self._transceiver.receiver
        if not hasattr(receiver, _DECODER_QUEUE):
            raise RuntimeError("this aiortc version has no receiver decoder queue to tap")
        setattr(receiver, _DECODER_QUEUE, _EncodedFrameTap(self._on_frame))
        relay.keyframes.send = self._send_pli
        _watch(self.pc, on_gone)
        self._pending: set[asyncio.Future[None]] = set()
        self._closed = False

    @property
    def decoder_tapped(self) -> bool:
        """Whether the receiver still hands its frames to the relay instead of a decoder."""
        return isinstance(getattr(self._transceiver.receiver, _DECODER_QUEUE), _EncodedFrameTap)

    async def answer(self, offer: str) -> str:
        """Negotiate the publisher's offer; the SDP answer."""
        check_offer(offer, sends_video=True)
        return await _answer(self.pc, offer)

    def _on_frame(self, encoded_frame: Any) -> None:
        data = bytes(encoded_frame.data)
        self.relay.publish(EncodedFrame(data, encoded_frame.timestamp, is_vp8_keyframe(data)))

    def _send_pli(self) -> None:
        receiver = self._transceiver.receiver
        sources = receiver.getSynchronizationSources()
        if sources and not self._closed:
            # RFC 4585 6.3.1: a Picture Loss Indication makes the sender send a keyframe.
            task = asyncio.ensure_future(receiver._send_rtcp_pli(sources[0].source))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def close(self) -> None:
        """End the session and its relay. Safe to call twice."""
        self._closed = True
        self.relay.end()
        await self.pc.close()


class RelayedVideoTrack(MediaStreamTrack):
    """A viewer's track: the publisher's encoded frames as `av.Packet`s, never decoded."""

    kind = "video"

    def __init__(self, frames: ViewerQueue) -> None:
        super().__init__()
        self._frames = frames

    async def recv(self) -> av.Packet:  # type: ignore[override]
        try:
            frame = await self._frames.get()
        except StreamEnded as exc:
            self.stop()
            raise MediaStreamError from exc
        packet = av.Packet(frame.data)
        packet.pts = frame.timestamp
        packet.time_base = VIDEO_TIME_BASE
        return packet


class Viewer:
    """The server's end of one WHEP session: sends the relay's frames to one viewer."""

    def __init__(self, relay: Relay, on_gone: Callable[[], None] = lambda: None) -> None:
        self.relay = relay
        self.frames = relay.add_viewer()
        self.track = RelayedVideoTrack(self.frames)
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.transceiver = self.pc.addTransceiver(self.track, direction="sendonly")
        self.transceiver.setCodecPreferences(_video_codecs(RTCRtpSender))
        # The sender's own keyframe handling would flag an encoder that never runs.
        self.transceiver.sender._send_keyframe = relay.keyframes.request  # type: ignore[method-assign]
        _watch(self.pc, on_gone)

    async def answer(self, offer: str) -> str:
        """Negotiate the viewer's offer; the SDP answer."""
        check_offer(offer, sends_video=False)
        return await _answer(self.pc, offer)

    async def close(self) -> None:
        """Stop watching; other viewers are not touched. Safe to call twice."""
        self.relay.remove_viewer(self.frames)
        with contextlib.suppress(MediaStreamError):
            self.track.stop()
        await self.pc.close()
