"""A real aiortc publisher of a synthetic camera scene with a code, for the analysis tests."""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import Callable
from dataclasses import dataclass

import av
import cv2
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection

from media.codes import DecodedCode, decode_frame
from media.symbols import qr_modules
from media.synthetic import scene
from server.scans.resolver import qr_payload
from tests.client import ApiClient
from tests.streams.peers import accept, new_peer, offer
from tests.streams.sessions import post_sdp

WIDTH, HEIGHT = 640, 480
FPS = 10
BALANCE = qr_payload("equipment", "EQ-BAL-01")  # a demo balance, clean and calibrated
QUARANTINED_LOT = qr_payload("lot", "MCC-2611-02")  # demo cellulose lot never released
RELEASED_LOT = qr_payload("lot", "MCC-2611-01")


def code_scene(text: str, *, seed: int = 3) -> np.ndarray:
    """A 640x480 BGR frame of a desk with the QR code of `text` on it, seen at an angle."""
    return scene(qr_modules(text), 5, "perspective", seed=seed, size=(WIDTH, HEIGHT))


def shifted(image: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """The scene as the camera sees it after turning: everything moved by (dx, dy) pixels."""
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(image, matrix, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REPLICATE)


def the_code(image: np.ndarray) -> DecodedCode:
    """The one code of a scene, read from the picture itself (where it really is)."""
    [code] = decode_frame(image)
    return code


class SceneTrack(MediaStreamTrack):
    """Sends `image` (which the test may replace) at 10 frames per second; while `paused`,
    nothing is sent, like a frozen camera."""

    kind = "video"

    def __init__(self, image: np.ndarray) -> None:
        super().__init__()
        self.image = image
        self.sent = 0
        self.paused = False
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:  # type: ignore[override]
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self.sent / FPS - time.monotonic()))
        while self.paused:
            await asyncio.sleep(0.05)
            self._start = time.monotonic() - self.sent / FPS
        frame = av.VideoFrame.from_ndarray(self.image, format="bgr24")
        frame.pts, frame.time_base = self.sent * 90_000 // FPS, fractions.Fraction(1, 90_000)
        self.sent += 1
        return frame


@dataclass
class PublishedScene:
    pc: RTCPeerConnection
    track: SceneTrack

    async def close(self) -> None:
        await self.pc.close()


async def publish_scene(
    api: ApiClient, stream_id: str, image: np.ndarray, as_user: str = "olivia"
) -> PublishedScene:
    """Publish the scene over WHIP as `as_user`, once the answer is applied."""
    pc, track = new_peer(), SceneTrack(image)
    pc.addTransceiver(track, direction="sendonly")
    response = await post_sdp(api, f"/streams/{stream_id}/whip", as_user, await offer(pc))
    assert response.status == 201, await response.text()
    await accept(pc, await response.text())
    return PublishedScene(pc, track)


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait for a condition on the server's state to hold (counters: nothing to await)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
