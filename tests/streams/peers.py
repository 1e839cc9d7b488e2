"""Real aiortc peers for the relay tests: a publisher of a moving pattern and viewers."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError

WIDTH, HEIGHT = 160, 120


class MovingBar(VideoStreamTrack):
    """A white bar sweeping across a dark frame, 30 frames per second."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.full((HEIGHT, WIDTH, 3), 32, dtype=np.uint8)
        x = (self.sent * 4) % WIDTH
        image[:, x : x + 8] = 255
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        self.sent += 1
        return frame


def new_peer() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


async def offer(pc: RTCPeerConnection) -> str:
    await pc.setLocalDescription(await pc.createOffer())
    return pc.localDescription.sdp


async def accept(pc: RTCPeerConnection, answer: str) -> None:
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))


@dataclass
class Watcher:
    """A viewer peer that decodes what it receives and counts the frames."""

    pc: RTCPeerConnection = field(default_factory=new_peer)
    frames: list[av.VideoFrame] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.pc.addTransceiver("video", direction="recvonly")

        @self.pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            self._task = asyncio.ensure_future(self._read(track))

    async def _read(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                self.frames.append(await track.recv())
                self._arrived.set()

    async def wait_for_frames(self, count: int, seconds: float = 30) -> None:
        """Wait until `count` more frames than now have been decoded."""
        target = len(self.frames) + count
        async with asyncio.timeout(seconds):
            while len(self.frames) < target:
                self._arrived.clear()
                await self._arrived.wait()

    async def close(self) -> None:
        await self.pc.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
