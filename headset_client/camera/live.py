"""A camera in use: frames read off the event loop, the latest one kept for photos and scans."""

from __future__ import annotations

import asyncio

import cv2
import numpy as np

from headset_client.camera.source import FrameSource
from headset_client.exceptions import CameraUnavailable
from media.codes import decode_frame


class LiveCamera:
    """Reads a source in a worker thread, one read at a time; `latest` is the newest frame,
    kept fresh by the video track while `streaming`."""

    def __init__(self, source: FrameSource) -> None:
        self.source = source
        self.latest: np.ndarray | None = None
        self.streaming = False
        self._reading = asyncio.Lock()

    async def next_frame(self) -> np.ndarray:
        """The next frame of the source."""
        async with self._reading:
            self.latest = await asyncio.to_thread(self.source.read)
        return self.latest

    async def snapshot(self) -> np.ndarray:
        """The frame the operator sees now: the streamed one, or a fresh read."""
        if self.streaming and self.latest is not None:
            return self.latest
        return await self.next_frame()

    async def photo(self) -> bytes:
        """The frame in view as PNG bytes."""
        return await asyncio.to_thread(_png, await self.snapshot())

    async def codes(self) -> list[str]:
        """The text of every code readable in the frame in view."""
        found = await asyncio.to_thread(decode_frame, await self.snapshot())
        return [code.text for code in found]

    def close(self) -> None:
        self.source.close()


def _png(frame: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", frame)
    if not ok:
        raise CameraUnavailable("the frame could not be encoded as PNG")
    return encoded.tobytes()
