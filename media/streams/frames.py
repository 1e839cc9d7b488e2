"""Encoded frames and the bounded, keyframe-aware queue that carries them to one viewer."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from media.streams.exceptions import StreamEnded


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One complete encoded frame as the publisher sent it, timed by the RTP clock of its
    media (90 kHz for video, 48 kHz for Opus) from the first frame received."""

    data: bytes
    timestamp: int
    keyframe: bool


class ViewerQueue:
    """Frames waiting for one viewer: bounded, and always decodable from its head.

    A viewer can only start decoding at a keyframe, and a dropped delta frame corrupts every
    frame after it until the next keyframe. So the queue waits for a keyframe before accepting
    anything, and on overflow it discards what it holds and waits for a keyframe again rather
    than growing. `needs_keyframe` tells the relay to ask the publisher for one.
    """

    def __init__(self, capacity: int) -> None:
        self._frames: deque[EncodedFrame] = deque()
        self._capacity = capacity
        self._ready = asyncio.Event()
        self._ended = False
        self.needs_keyframe = True
        self.delivered = 0
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._frames)

    def offer(self, frame: EncodedFrame) -> bool:
        """Queue a frame; False when it was dropped and a keyframe is needed."""
        if self._ended:
            return True
        if self.needs_keyframe and not frame.keyframe:
            self.dropped += 1
            return False
        if len(self._frames) >= self._capacity:
            self.dropped += len(self._frames) + 1
            self._frames.clear()
            self.needs_keyframe = True
            return False
        self.needs_keyframe = False
        self._frames.append(frame)
        self._ready.set()
        return True

    def end(self) -> None:
        """Wake the reader; it gets StreamEnded once the queue is empty. Safe to call twice."""
        self._ended = True
        self._ready.set()

    async def get(self) -> EncodedFrame:
        """The next frame, waiting for it; StreamEnded after the publisher left."""
        while not self._frames:
            if self._ended:
                raise StreamEnded("the publisher left")
            self._ready.clear()
            await self._ready.wait()
        self.delivered += 1
        return self._frames.popleft()
