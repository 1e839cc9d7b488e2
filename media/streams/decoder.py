"""The server's own view of a live stream: its video decoded once, only while needed.

The decoder takes the relay's encoded frames like a viewer does (a bounded queue that starts
at a keyframe and drops on overflow), so it never slows the stream down or the viewers. It
runs only while something needs pictures: sampled frames for analysis (`sample(True)`), or
the next frame for a snapshot (`next_frame`). Decoding (VP8 or H.264, as the publisher
sends) needs every frame from a keyframe on;
only the frames handed out are converted to BGR. The codec works in a worker thread, one
batch of queued frames at a time, so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np

from media.streams.codecs import H264, VP8
from media.streams.exceptions import StreamEnded
from media.streams.frames import EncodedFrame, ViewerQueue
from media.streams.relay import Relay

RTP_CLOCK = 90_000  # Hz, the RTP clock of video
_RTP_WRAP = 2**32
_DECODERS = {VP8: "vp8", H264: "h264"}  # relayed codec → FFmpeg decoder


@dataclass(frozen=True, eq=False)
class DecodedFrame:
    """A decoded picture (BGR, height x width x 3) and the RTP timestamp of its frame."""

    image: np.ndarray
    timestamp: int

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.image.shape[1], self.image.shape[0]


@dataclass(frozen=True)
class _Batch:
    decoded: int
    failed: int
    picture: DecodedFrame | None


class _Decoding:
    """One decoding session, fed in order from one worker thread at a time."""

    def __init__(self, mime_type: str) -> None:
        self._codec = av.CodecContext.create(_DECODERS[mime_type], "r")

    def decode(self, frames: list[EncodedFrame], convert: bool) -> _Batch:
        """Decode `frames` in order; the last picture as BGR when `convert`."""
        decoded = failed = 0
        last: tuple[av.VideoFrame, int] | None = None
        for frame in frames:
            try:
                pictures = self._codec.decode(av.Packet(frame.data))
            except av.FFmpegError:
                failed += 1
                continue
            for picture in pictures:
                decoded += 1
                last = (picture, frame.timestamp)
        picture = None
        if convert and last is not None:
            picture = DecodedFrame(last[0].to_ndarray(format="bgr24"), last[1])
        return _Batch(decoded, failed, picture)


class FrameDecoder:
    """Decodes one relay's frames while pictures are needed; idle (no viewer queue) otherwise.

    `on_sample` receives a picture at most `sample_rate` times per second of stream time
    while sampling is on; `next_frame` waits for the next picture whatever the sampling.
    """

    def __init__(
        self,
        relay: Relay,
        on_sample: Callable[[DecodedFrame], None],
        *,
        sample_rate: float = 5.0,
    ) -> None:
        if sample_rate <= 0:
            raise ValueError("the sample rate must be positive")
        self.relay = relay
        self._on_sample = on_sample
        self._interval = round(RTP_CLOCK / sample_rate)
        self._sampling = False
        self._waiters: set[asyncio.Future[DecodedFrame]] = set()
        self._task: asyncio.Task[None] | None = None
        self._queue: ViewerQueue | None = None
        self.latest: DecodedFrame | None = None
        self.starts = 0
        self.decoded = 0
        self.failed = 0
        self.sampled = 0

    @property
    def running(self) -> bool:
        """Whether frames are being taken from the relay and decoded now."""
        return self._task is not None

    @property
    def sampling(self) -> bool:
        return self._sampling

    def sample(self, on: bool) -> None:
        """Start or stop handing sampled pictures to `on_sample`."""
        self._sampling = on
        self._update()

    async def next_frame(self) -> DecodedFrame:
        """The next picture decoded from now on, starting the decoder if it is idle (wrap it
        in `asyncio.timeout`); StreamEnded when the publisher has left."""
        if self.relay.ended:
            raise StreamEnded("the publisher left")
        waiter: asyncio.Future[DecodedFrame] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        self._update()
        try:
            return await waiter
        finally:
            self._waiters.discard(waiter)
            self._update()

    async def close(self) -> None:
        """Stop decoding for good. Safe to call twice."""
        self._sampling = False
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(StreamEnded("the stream's analysis stopped"))
        task = self._stop()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _update(self) -> None:
        needed = (self._sampling or bool(self._waiters)) and not self.relay.ended
        if needed and self._task is None:
            self._queue = self.relay.add_viewer()
            self._task = asyncio.ensure_future(self._run(self._queue))
            self.starts += 1
        elif not needed and self._task is not None:
            self._stop()

    def _stop(self) -> asyncio.Task[None] | None:
        task, queue = self._task, self._queue
        self._task = self._queue = None
        self.latest = None
        if queue is not None:
            self.relay.remove_viewer(queue)
        if task is not None:
            task.cancel()
        return task

    async def _run(self, queue: ViewerQueue) -> None:
        # A new session per start: it begins at the queue's first keyframe.
        codec = _Decoding(self.relay.codec or VP8)
        last_sample: int | None = None
        try:
            while True:
                frames = [await queue.get()]
                while len(queue):
                    frames.append(await queue.get())
                timestamp = frames[-1].timestamp
                due = self._sampling and (
                    last_sample is None or (timestamp - last_sample) % _RTP_WRAP >= self._interval
                )
                batch = await asyncio.to_thread(codec.decode, frames, due or bool(self._waiters))
                self.decoded += batch.decoded
                self.failed += batch.failed
                if batch.failed:
                    self.relay.keyframes.request()  # a broken frame spoils those after it
                if batch.picture is not None:
                    self._deliver(batch.picture, sample=due)
                    if due:
                        last_sample = batch.picture.timestamp
        except StreamEnded:
            pass
        finally:
            if self._task is asyncio.current_task():
                self._task = self._queue = None
                self.latest = None
            for waiter in self._waiters:
                if self.relay.ended and not waiter.done():
                    waiter.set_exception(StreamEnded("the publisher left"))

    def _deliver(self, picture: DecodedFrame, *, sample: bool) -> None:
        self.latest = picture
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(picture)
        if sample and self._sampling:
            self.sampled += 1
            self._on_sample(picture)
