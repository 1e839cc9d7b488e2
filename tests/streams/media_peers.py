"""aiortc peers beyond the VP8 camera: a publisher in a chosen codec or with a microphone
tone, and a viewer that receives whatever tracks it asks for."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
from dataclasses import dataclass, field

import av
import numpy as np
from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
)
from aiortc.mediastreams import MediaStreamError

from tests.client import ApiClient
from tests.streams.peers import accept, new_peer, offer
from tests.streams.sessions import post_sdp

TONE_HZ = 440
_RATE = 48_000
_SAMPLES = 960  # 20 ms


class Tone(AudioStreamTrack):
    """A microphone hearing a steady 440 Hz tone, 20 ms per frame, in real time."""

    def __init__(self) -> None:
        super().__init__()
        self._sent = 0
        self._started: float | None = None

    async def recv(self) -> av.AudioFrame:
        loop = asyncio.get_running_loop()
        if self._started is None:
            self._started = loop.time()
        await asyncio.sleep(max(0.0, self._started + self._sent / _RATE - loop.time()))
        t = (self._sent + np.arange(_SAMPLES)) / _RATE
        samples = (np.sin(2 * np.pi * TONE_HZ * t) * 8000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = _RATE, self._sent
        frame.time_base = fractions.Fraction(1, _RATE)
        self._sent += _SAMPLES
        return frame


def prefer(transceiver: RTCRtpTransceiver, *mime_types: str) -> None:
    """Offer only these codecs, in this order (with retransmission for video)."""
    codecs = RTCRtpSender.getCapabilities(transceiver.kind).codecs  # type: ignore[union-attr]
    chosen = [c for mime in mime_types for c in codecs if c.mimeType == mime]
    if transceiver.kind == "video":
        chosen += [c for c in codecs if c.mimeType == "video/rtx"]
    transceiver.setCodecPreferences(chosen)


@dataclass
class Publishing:
    pc: RTCPeerConnection
    location: str
    answer: str


async def publish_tracks(
    api: ApiClient,
    stream_id: str,
    *tracks: MediaStreamTrack,
    video_codecs: tuple[str, ...] = (),
    as_user: str = "olivia",
) -> Publishing:
    """Publish these tracks over WHIP, video offered in `video_codecs` when given."""
    pc = new_peer()
    for track in tracks:
        transceiver = pc.addTransceiver(track, direction="sendonly")
        if track.kind == "video" and video_codecs:
            prefer(transceiver, *video_codecs)
    response = await post_sdp(api, f"/streams/{stream_id}/whip", as_user, await offer(pc))
    assert response.status == 201, await response.text()
    answer = await response.text()
    await accept(pc, answer)
    return Publishing(pc, response.headers["Location"], answer)


@dataclass
class Receiver:
    """A WHEP viewer receiving the kinds it asked for; keeps every decoded frame by kind."""

    pc: RTCPeerConnection = field(default_factory=new_peer)
    frames: dict[str, list[av.AudioFrame | av.VideoFrame]] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        @self.pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            self._tasks.append(asyncio.ensure_future(self._read(track)))

    def want(self, kind: str, *mime_types: str) -> None:
        """Receive `kind`, in `mime_types` only when given."""
        transceiver = self.pc.addTransceiver(kind, direction="recvonly")
        if mime_types:
            prefer(transceiver, *mime_types)
        self.frames[kind] = []

    async def _read(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                self.frames[track.kind].append(await track.recv())
                self._arrived.set()

    async def wait_for(self, kind: str, count: int, seconds: float = 10) -> None:
        """Wait until `count` more frames of `kind` than now have been decoded."""
        target = len(self.frames[kind]) + count
        async with asyncio.timeout(seconds):
            while len(self.frames[kind]) < target:
                self._arrived.clear()
                await self._arrived.wait()

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def receive(api: ApiClient, stream_id: str, receiver: Receiver, as_user: str = "quinn"):  # type: ignore[no-untyped-def]
    """Offer `receiver` to the stream over WHEP: the answer, or the refusal, as it came."""
    response = await post_sdp(api, f"/streams/{stream_id}/whep", as_user, await offer(receiver.pc))
    if response.status == 201:
        await accept(receiver.pc, await response.text())
    return response


def dominant_frequency(frames: list[av.AudioFrame]) -> float:
    """The strongest frequency in these audio frames (first channel), in Hz."""
    samples = np.concatenate(
        [frame.to_ndarray().reshape(-1)[:: len(frame.layout.channels)] for frame in frames]
    )
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    spectrum[0] = 0
    rate = frames[0].sample_rate
    return float(np.argmax(spectrum) * rate / len(samples))
