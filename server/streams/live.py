"""The streams live in this process: their relays, publisher and viewer peers.

The registry announces each stream that starts and ends to the listeners registered with
it at startup (the streams' analyses), which keep their own state by stream id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from media.streams.recorder import Recorder
from media.streams.relay import Relay
from media.streams.webrtc import PeerSettings, Publisher, Viewer
from server.audit.service import Actor
from server.clock import utcnow
from server.streams.exceptions import StreamAlreadyLive, StreamNotLive
from server.streams.ids import StreamId

log = logging.getLogger(__name__)
# Records the start of a stream in the database, in its own unit of work.
StartRecorder = Callable[["LiveStream"], Awaitable[None]]
# Records the end of a stream in the database: (stream, actor, reason).
EndRecorder = Callable[["LiveStream", Actor, str], Awaitable[None]]
# Tells the batch's watchers how many watch a stream, after one joined or left.
ViewersRecorder = Callable[["LiveStream"], Awaitable[None]]


def new_session_id() -> str:
    """An unguessable WHIP/WHEP session id: its URL is what ends the session."""
    return secrets.token_urlsafe(16)


@dataclass(eq=False)
class LiveStream:
    """One published stream and everyone watching it."""

    stream_id: StreamId
    publisher: Actor
    publisher_username: str
    relay: Relay
    peer: Publisher
    session_id: str = field(default_factory=new_session_id)
    started_at: datetime = field(default_factory=utcnow)
    viewers: dict[str, Viewer] = field(default_factory=dict)
    recorders: dict[str, Recorder] = field(default_factory=dict)  # by Recording id

    @property
    def batch_id(self) -> str:
        return self.stream_id.batch_id

    @property
    def name(self) -> str | None:
        return self.stream_id.name


class StreamListener(Protocol):
    """Told when a stream of this process starts and when it ends."""

    def started(self, stream: LiveStream) -> None: ...

    async def ended(self, stream: LiveStream) -> None: ...


class LiveStreams:
    """Every live stream of this server; ends them all when the server stops.

    A stream starts with its publisher's offer, recorded through `record_start`, and ends
    once, whoever notices first (a DELETE, the publisher's connection failing, shutdown); the
    end is recorded through `record_end`.
    """

    def __init__(
        self,
        record_start: StartRecorder,
        record_end: EndRecorder,
        *,
        record_viewers: ViewersRecorder | None = None,
        queue_size: int = 30,
        peers: PeerSettings | None = None,
    ) -> None:
        self._streams: dict[StreamId, LiveStream] = {}
        self._peers = peers or PeerSettings()
        self._reserved: set[StreamId] = set()
        self._listeners: list[StreamListener] = []
        self._record_start = record_start
        self._record_end = record_end
        self._record_viewers = record_viewers
        self._queue_size = queue_size
        self._tasks: set[asyncio.Task[None]] = set()

    def __iter__(self) -> Iterator[LiveStream]:
        return iter(list(self._streams.values()))

    def find(self, stream_id: StreamId) -> LiveStream | None:
        """The live stream, or None."""
        return self._streams.get(stream_id)

    def get(self, stream_id: StreamId) -> LiveStream:
        """The live stream, or StreamNotLive."""
        stream = self.find(stream_id)
        if stream is None:
            raise StreamNotLive(stream_id)
        return stream

    @contextlib.contextmanager
    def announcing_to(self, listener: StreamListener) -> Iterator[None]:
        """Tell `listener` of every stream that starts or ends while the block runs."""
        self._listeners.append(listener)
        try:
            yield
        finally:
            self._listeners.remove(listener)

    async def start(
        self, stream_id: StreamId, publisher: Actor, publisher_username: str, offer: str
    ) -> tuple[LiveStream, str]:
        """A publisher's stream goes live: (the stream, the SDP answer to its offer), recorded
        and then announced to the listeners. StreamAlreadyLive while another publisher holds
        the id (or negotiates for it); OfferRejected for an offer that cannot be answered."""
        with self._reserving(stream_id):
            relay, peer = self._new_publisher(stream_id)
            try:
                answer = await peer.answer(offer)
                stream = LiveStream(stream_id, publisher, publisher_username, relay, peer)
                await self._record_start(stream)
            except BaseException:
                await peer.close()
                raise
            self._streams[stream_id] = stream
            for listener in self._listeners:
                listener.started(stream)
        return stream, answer

    @contextlib.contextmanager
    def _reserving(self, stream_id: StreamId) -> Iterator[None]:
        """Hold the stream id while its publisher negotiates, so a second one gets 409."""
        if stream_id in self._streams or stream_id in self._reserved:
            live = self._streams.get(stream_id)
            raise StreamAlreadyLive(stream_id, live.publisher_username if live else "another")
        self._reserved.add(stream_id)
        try:
            yield
        finally:
            self._reserved.discard(stream_id)

    def _new_publisher(self, stream_id: StreamId) -> tuple[Relay, Publisher]:
        """The video relay and the publisher peer that feeds it (and its audio relay); the
        peer's failure or silence ends the stream."""
        relay = Relay("video", queue_size=self._queue_size)
        audio = Relay("audio", queue_size=self._queue_size)

        def gone(reason: str) -> None:
            self._in_background(self.end(stream_id, None, reason))

        return relay, Publisher(relay, gone, audio=audio, settings=self._peers)

    async def end(self, stream_id: StreamId, actor: Actor | None, reason: str) -> LiveStream | None:
        """End a stream and its viewers (announced to the listeners first), and record it;
        None when it had already ended."""
        stream = self._streams.pop(stream_id, None)
        if stream is None:
            return None
        for listener in list(self._listeners):
            await listener.ended(stream)
        viewers = list(stream.viewers.values())
        stream.viewers.clear()
        await stream.peer.close()
        for viewer in viewers:
            await viewer.close()
        await self._record_end(stream, actor or stream.publisher, reason)
        return stream

    async def watch(self, stream_id: StreamId, offer: str) -> tuple[str, str]:
        """A new viewer of a live stream: (session id, SDP answer)."""
        stream = self.get(stream_id)
        session_id = new_session_id()

        def gone(reason: str) -> None:
            self._in_background(self.leave(stream_id, session_id))

        viewer = Viewer(stream.relay, gone, audio=stream.peer.audio, settings=self._peers)
        try:
            answer = await viewer.answer(offer)
        except BaseException:
            await viewer.close()
            raise
        if stream.relay.ended:
            await viewer.close()
            raise StreamNotLive(stream_id)
        stream.viewers[session_id] = viewer
        self._viewers_changed(stream)
        return session_id, answer

    async def leave(self, stream_id: StreamId, session_id: str) -> bool:
        """A viewer stops watching; the others go on. False when it had already left."""
        stream = self._streams.get(stream_id)
        viewer = stream.viewers.pop(session_id, None) if stream else None
        if viewer is None:
            return False
        await viewer.close()
        if stream is not None and self._streams.get(stream_id) is stream:
            self._viewers_changed(stream)
        return True

    def _viewers_changed(self, stream: LiveStream) -> None:
        """A viewer joined or left (by DELETE, or its connection failed or lost consent)."""
        if self._record_viewers is not None:
            self._in_background(self._record_viewers(stream))

    def _in_background(self, work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("recording a stream's change failed", exc_info=task.exception())

    async def settle(self) -> None:
        """Wait for the ends noticed from connection changes to be recorded."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)  # logged by _finished

    async def close(self) -> None:
        """End every stream (server shutdown). Safe to call twice."""
        for stream_id in list(self._streams):
            await self.end(stream_id, None, "the server stopped")
        await self.settle()
