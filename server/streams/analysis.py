"""What the server sees in its live streams: sampled frames analysed for codes, off the loop.

Each live stream of this process gets a `StreamAnalysis`. Its decoder runs only while the
stream's batch has an active scan step or annotations are anchored to codes (and, briefly,
for a snapshot); then a few frames per second go through the code reader in a worker thread,
and what is found feeds hands-free scanning (`scanning`) and anchored annotations
(`anchoring`). `StreamAnalyses` attaches one to every live stream and keeps each on its
batch's active step by following the step events of the event bus.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from media.codes import DecodedCode, decode_frame
from media.streams.decoder import DecodedFrame, FrameDecoder
from server.concurrency import run_blocking
from server.db.engine import Database
from server.events.bus import EventBus
from server.events.schemas import AnnotationEvent, EventBase
from server.streams import anchoring
from server.streams.live import LiveStream
from server.streams.scanning import Publish, ScanWatch

log = logging.getLogger(__name__)
SAMPLE_RATE = 5.0  # analysed frames per second of stream
# An analysed frame stands for what is in view for this long (seconds).
FRESH_FOR = 1.0
# Events that may change a batch's active step.
_STEP_EVENTS = frozenset({"step", "batch"})


@dataclass(frozen=True, eq=False)
class AnalysedFrame:
    """The codes found in one sampled frame; `at` is when (monotonic seconds)."""

    codes: list[DecodedCode]
    timestamp: int
    size: tuple[int, int]
    at: float


class StreamAnalysis:
    """One live stream as the server sees it: its decoder, scanning and anchored annotations."""

    def __init__(
        self,
        stream: LiveStream,
        database: Database,
        publish: Publish,
        *,
        sample_rate: float = SAMPLE_RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self._publish = publish
        self._clock = clock
        self.decoder = FrameDecoder(stream.relay, self._on_sample, sample_rate=sample_rate)
        self.scanning = ScanWatch(
            database, publish, batch_id=stream.batch_id, stream_id=stream.stream_id
        )
        self.anchors: dict[str, anchoring.Anchor] = {}
        self.latest: AnalysedFrame | None = None
        self.analysed = 0
        self.skipped = 0
        self._analysing: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def needed(self) -> bool:
        """Whether frames must be analysed now: a scan step is active or annotations anchored
        (and the stream carries video: a talk-back stream is audio only)."""
        video = self.stream.relay.codec is not None
        return video and not self._closed and (self.scanning.active or bool(self.anchors))

    def update(self) -> None:
        """Analyse sampled frames exactly while they are needed."""
        self.decoder.sample(self.needed)

    def current(self) -> AnalysedFrame | None:
        """The latest analysed frame, if recent enough to stand for what is in view."""
        latest = self.latest
        return latest if latest is not None and self._clock() - latest.at <= FRESH_FOR else None

    async def refresh(self) -> None:
        """Follow the batch's active step (after a step event)."""
        await self.scanning.refresh()
        self.update()

    async def look(self) -> AnalysedFrame:
        """The current analysed frame, analysing the next decoded frame if none is current
        (wrap it in `asyncio.timeout`); StreamEnded when the publisher has left."""
        return self.current() or await self._analysed(await self.decoder.next_frame())

    async def close(self) -> None:
        """Stop decoding and analysing. Safe to call twice."""
        self._closed = True
        await self.decoder.close()
        if self._analysing is not None:
            self._analysing.cancel()

    def _on_sample(self, frame: DecodedFrame) -> None:
        if self._analysing is not None:
            self.skipped += 1  # the reader is slower than the sample rate: skip, never queue
            return
        self._analysing = asyncio.ensure_future(self._analyse(frame))
        self._analysing.add_done_callback(self._analysed_one)

    def _analysed_one(self, task: asyncio.Task[None]) -> None:
        self._analysing = None
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "analysing a frame of %s failed", self.stream.stream_id, exc_info=task.exception()
            )

    async def _analysed(self, frame: DecodedFrame) -> AnalysedFrame:
        codes = await run_blocking(decode_frame, frame.image)
        self.analysed += 1
        self.latest = AnalysedFrame(codes, frame.timestamp, frame.size, self._clock())
        return self.latest

    async def _analyse(self, frame: DecodedFrame) -> None:
        analysed = await self._analysed(frame)
        await self.scanning.see(analysed.codes)
        moved = anchoring.follow(self.anchors, analysed)
        if moved:
            await self._publish([self._moved(anchor) for anchor in moved])

    def _moved(self, anchor: anchoring.Anchor) -> AnnotationEvent:
        """The transient `annotation` event of an anchored annotation that moved."""
        return AnnotationEvent(
            batch_id=self.stream.batch_id,
            action="moved",
            annotation={
                "id": anchor.annotation_id,
                "stream_id": self.stream.stream_id,
                "points": anchor.points,
                "anchor": "code",
            },
        )


class StreamAnalyses:
    """Gives every live stream of this process its analysis and keeps each on its batch's
    active step, following the event bus (every process's step events, on PostgreSQL)."""

    def __init__(
        self,
        streams: Callable[[], Iterable[LiveStream]],
        database: Database,
        bus: EventBus,
        *,
        sample_rate: float = SAMPLE_RATE,
        sweep_seconds: float = 1.0,
    ) -> None:
        self._streams = streams
        self._database = database
        self._bus = bus
        self._sample_rate = sample_rate
        self._sweep_seconds = sweep_seconds
        self._attached: dict[str, LiveStream] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def of(self, stream: LiveStream) -> StreamAnalysis:
        """The stream's analysis, attached (and set on its active step) on first use."""
        if stream.analysis is None:
            stream.analysis = StreamAnalysis(
                stream, self._database, self.publish, sample_rate=self._sample_rate
            )
            self._attached[stream.stream_id] = stream
            self._in_background(stream.analysis.refresh())
        return stream.analysis

    async def publish(self, events: list[EventBase]) -> None:
        """Send transient events (nothing stored) to the batch's subscribers in every process."""
        sent = [event.wire() for event in events]
        if self._bus.transport is None:
            for event in sent:
                self._bus.deliver(event)
            return
        async with self._database.sessions()() as session, session.begin():
            await self._bus.before_commit(session, sent)

    async def follow(self) -> None:
        """Attach new streams, drop ended ones and follow step events, until cancelled."""
        with self._bus.subscribe() as subscription:
            subscription.topics.add("batches")
            while True:
                self._sweep()
                try:
                    async with asyncio.timeout(self._sweep_seconds):
                        event = await subscription.queue.get()
                except TimeoutError:
                    continue
                if event.get("type") in _STEP_EVENTS:
                    self._refresh(event.get("batch_id"))
                if subscription.lagging and subscription.queue.empty():
                    subscription.lagging = False  # events were missed: re-read every batch
                    self._refresh(None)

    async def close(self) -> None:
        """Stop every analysis (server shutdown). Safe to call twice."""
        streams, self._attached = list(self._attached.values()), {}
        for stream in streams:
            if stream.analysis is not None:
                await stream.analysis.close()
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _sweep(self) -> None:
        live = {stream.stream_id: stream for stream in self._streams()}
        for stream in live.values():
            self.of(stream)
        for stream_id, stream in list(self._attached.items()):
            if live.get(stream_id) is not stream:
                del self._attached[stream_id]
                if stream.analysis is not None:
                    self._in_background(stream.analysis.close())

    def _refresh(self, batch_id: str | None) -> None:
        for stream in self._attached.values():
            if stream.analysis is not None and batch_id in (None, stream.batch_id):
                self._in_background(stream.analysis.refresh())

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("stream analysis failed", exc_info=task.exception())
