"""Fan-out of one publisher's encoded frames to its viewers, with keyframe requests."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiortc.rtp import RtpPacket

from media.streams.codecs import starts_keyframe
from media.streams.forwarding import Forwarder
from media.streams.frames import EncodedFrame, ViewerQueue

log = logging.getLogger(__name__)


class KeyframeRequests:
    """Asks the publisher for a keyframe, at most once per `min_interval` seconds.

    Every joining viewer, every overflowing queue and every viewer's PLI asks; without a
    limit a busy stream would make the publisher send nothing but keyframes. A request that
    comes too soon after the last one is not lost: one request is sent when the interval has
    passed, so a viewer joining right after another does not wait for the publisher's next
    scheduled keyframe (seconds, with browsers).
    """

    def __init__(
        self, min_interval: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._min_interval = min_interval
        self._clock = clock
        self._last: float | None = None
        self._deferred: asyncio.TimerHandle | None = None
        self.send: Callable[[], None] | None = None
        self.sent = 0
        self.suppressed = 0

    def request(self) -> bool:
        """Send a request now unless one went out recently (then send one once the interval
        has passed); True when one was sent now."""
        if self.send is None:
            self.suppressed += 1
            return False
        wait = 0.0 if self._last is None else self._min_interval - (self._clock() - self._last)
        if wait > 0:
            self.suppressed += 1
            self._defer(wait)
            return False
        self._send()
        return True

    def cancel(self) -> None:
        """Drop a deferred request (the stream ended)."""
        if self._deferred is not None:
            self._deferred.cancel()
            self._deferred = None

    def _send(self) -> None:
        assert self.send is not None
        self._last = self._clock()
        self.sent += 1
        self.send()

    def _defer(self, wait: float) -> None:
        if self._deferred is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (a unit test driving the clock): nothing to wait with
        self._deferred = loop.call_later(wait, self._fire)

    def _fire(self) -> None:
        self._deferred = None
        if self.send is not None:
            self._send()


class Relay:
    """One track of a live stream (its video, or its audio): its RTP packets forwarded as
    they come to every viewer, its whole frames handed to every bounded queue (recording,
    live scanning, snapshots).

    `codec` is the MIME type the publisher negotiated for this track (`video/VP8`,
    `video/H264`, `audio/opus`), None while the stream carries no such track.
    """

    def __init__(
        self,
        kind: str = "video",
        *,
        queue_size: int = 30,
        keyframes: KeyframeRequests | None = None,
    ) -> None:
        self.kind = kind
        self.codec: str | None = None
        self._queue_size = queue_size
        self._viewers: set[ViewerQueue] = set()
        self._forwarders: set[Forwarder] = set()
        self.keyframes = keyframes or KeyframeRequests()
        self.frames_in = 0
        self.ended = False

    @property
    def viewer_count(self) -> int:
        return len(self._viewers) + len(self._forwarders)

    def add_forwarder(self, clock_rate: int) -> Forwarder:
        """A new viewer's packet forwarder; it starts at the next keyframe, asked for now."""
        forwarder = Forwarder(clock_rate, self.keyframes.request)
        if not self.ended:
            self._forwarders.add(forwarder)
            self.keyframes.request()
        return forwarder

    def remove_forwarder(self, forwarder: Forwarder) -> None:
        """Forget a viewer's forwarder; the others are not touched. Safe to call twice."""
        self._forwarders.discard(forwarder)

    async def forward(self, packet: RtpPacket) -> None:
        """Send one of the publisher's packets on to every viewer."""
        if not self._forwarders or self.codec is None:
            return
        keyframe = starts_keyframe(self.codec, packet.payload)
        for forwarder in list(self._forwarders):
            try:
                await forwarder.forward(packet, keyframe)
            except Exception:  # a viewer's failure must not stop the publisher's packets
                log.exception("forwarding to a viewer failed; it gets nothing more")
                self._forwarders.discard(forwarder)

    def add_viewer(self) -> ViewerQueue:
        """A new viewer's queue; it starts at the next keyframe, which is asked for now."""
        queue = ViewerQueue(self._queue_size)
        if self.ended:
            queue.end()
            return queue
        self._viewers.add(queue)
        self.keyframes.request()
        return queue

    def remove_viewer(self, queue: ViewerQueue) -> None:
        """Forget a viewer; the others are not touched. Safe to call twice."""
        self._viewers.discard(queue)
        queue.end()

    def publish(self, frame: EncodedFrame) -> None:
        """Offer a frame to every viewer; ask for a keyframe when one of them needs it."""
        self.frames_in += 1
        wants_keyframe = False
        for queue in self._viewers:
            if not queue.offer(frame):
                wants_keyframe = True
        if wants_keyframe:
            self.keyframes.request()

    def end(self) -> None:
        """The publisher left: viewers drain what they hold, then stop. Safe to call twice."""
        self.ended = True
        self.keyframes.cancel()
        for queue in self._viewers:
            queue.end()
        self._viewers.clear()
        self._forwarders.clear()
