"""Fan-out of one publisher's encoded frames to its viewers, with keyframe requests."""

from __future__ import annotations

import time
from collections.abc import Callable

from media.streams.frames import EncodedFrame, ViewerQueue


class KeyframeRequests:
    """Asks the publisher for a keyframe, at most once per `min_interval` seconds.

    Every joining viewer, every overflowing queue and every viewer's PLI asks; without a
    limit a busy stream would make the publisher send nothing but keyframes.
    """

    def __init__(
        self, min_interval: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._min_interval = min_interval
        self._clock = clock
        self._last: float | None = None
        self.send: Callable[[], None] | None = None
        self.sent = 0
        self.suppressed = 0

    def request(self) -> bool:
        """Send a request unless one went out recently; True when one was sent."""
        now = self._clock()
        if self.send is None or (self._last is not None and now - self._last < self._min_interval):
            self.suppressed += 1
            return False
        self._last = now
        self.sent += 1
        self.send()
        return True


class Relay:
    """One live stream's frames, handed as they are to every viewer's bounded queue."""

    def __init__(self, *, queue_size: int = 30, keyframes: KeyframeRequests | None = None) -> None:
        self._queue_size = queue_size
        self._viewers: set[ViewerQueue] = set()
        self.keyframes = keyframes or KeyframeRequests()
        self.frames_in = 0
        self.ended = False

    @property
    def viewer_count(self) -> int:
        return len(self._viewers)

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
        for queue in self._viewers:
            queue.end()
        self._viewers.clear()
