"""What the server sees in its live streams: sampled frames analysed for codes, off the loop.

Each live stream of this process gets a `StreamAnalysis`. Its decoder runs only while the
stream's batch has an active scan step or annotations are anchored to codes (and, briefly,
for a snapshot); then a few frames per second go through the code reader in a worker thread,
and what is found feeds hands-free scanning (`scanning`) and anchored annotations
(`anchoring`). `StreamAnalyses` keeps the analyses by stream id: the registry of live
streams tells it when a stream starts and ends, and it keeps each analysis on its batch's
active step by following the step events of the event bus.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from media.codes import decode_frame
from media.streams.decoder import DecodedFrame, FrameDecoder
from media.streams.exceptions import StreamEnded
from server.concurrency import run_blocking
from server.db.engine import Database
from server.events.bus import EventBus
from server.events.schemas import AnnotationEvent, EventBase
from server.streams import anchoring
from server.streams.anchoring import AnalysedFrame
from server.streams.exceptions import StreamNotLive
from server.streams.ids import StreamId
from server.streams.live import LiveStream
from server.streams.scanning import Publish, ScanWatch

log = logging.getLogger(__name__)
SAMPLE_RATE = 5.0  # analysed frames per second of stream
# An analysed frame stands for what is in view for this long (seconds).
FRESH_FOR = 1.0
# Events that may change a batch's active step.
_STEP_EVENTS = frozenset({"step", "batch"})


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
            database, publish, batch_id=stream.batch_id, stream_id=str(stream.stream_id)
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

    def anchor(self, annotation_id: str, points: list[list[float]]) -> bool:
        """Anchor an annotation to the code it is drawn on or next to in the current analysed
        frame, so that it follows the code; False (it stays frame-anchored) when no code is
        close or nothing is analysed now (`look` first when no scan step keeps analysing)."""
        frame = self.current()
        found = anchoring.anchor_in(frame, annotation_id, points) if frame is not None else None
        if found is None:
            return False
        self.anchors[annotation_id] = found
        self.update()
        return True

    def release(self, annotation_id: str) -> None:
        """Stop following an annotation (it was cleared). Safe to call twice."""
        if self.anchors.pop(annotation_id, None) is not None:
            self.update()

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
        moved = anchoring.follow(self.anchors.values(), analysed)
        self.anchors.update((anchor.annotation_id, anchor) for anchor in moved)
        if moved:
            await self._publish([self._moved(anchor) for anchor in moved])

    def _moved(self, anchor: anchoring.Anchor) -> AnnotationEvent:
        """The transient `annotation` event of an anchored annotation that moved."""
        return AnnotationEvent(
            batch_id=self.stream.batch_id,
            action="moved",
            annotation={
                "id": anchor.annotation_id,
                "stream_id": str(self.stream.stream_id),
                "points": anchor.points,
                "anchor": "code",
            },
        )


class StreamAnalyses:
    """The analysis of every live stream of this process, by stream id.

    Listens to the registry of live streams (an analysis starts and stops with its stream)
    and keeps each on its batch's active step, following the event bus (every process's
    step events, on PostgreSQL). It is also how annotations are anchored to codes in view.
    """

    def __init__(
        self, database: Database, bus: EventBus, *, sample_rate: float = SAMPLE_RATE
    ) -> None:
        self._database = database
        self._bus = bus
        self._sample_rate = sample_rate
        self._analyses: dict[StreamId, StreamAnalysis] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def of(self, stream_id: StreamId) -> StreamAnalysis:
        """The analysis of a stream live in this process, or StreamNotLive."""
        analysis = self._analyses.get(stream_id)
        if analysis is None:
            raise StreamNotLive(stream_id)
        return analysis

    def started(self, stream: LiveStream) -> None:
        """A stream went live: analyse it, on its batch's active step."""
        analysis = StreamAnalysis(
            stream, self._database, self.publish, sample_rate=self._sample_rate
        )
        self._analyses[stream.stream_id] = analysis
        self._in_background(analysis.refresh())

    async def ended(self, stream: LiveStream) -> None:
        """A stream ended: stop its analysis."""
        analysis = self._analyses.get(stream.stream_id)
        if analysis is not None and analysis.stream is stream:
            del self._analyses[stream.stream_id]
            await analysis.close()

    async def look(self, stream_id: StreamId) -> bool:
        """Whether a current analysed frame of the stream could be had (the next decoded frame
        is analysed if none is current; wrap it in `asyncio.timeout`); False when the stream
        is not live here or ends."""
        analysis = self._analyses.get(stream_id)
        if analysis is None:
            return False
        try:
            await analysis.look()
        except StreamEnded:
            return False
        return True

    def anchor(self, stream_id: StreamId, annotation_id: str, points: list[list[float]]) -> bool:
        """Anchor an annotation to the code in view it is drawn on (`StreamAnalysis.anchor`);
        False when the stream is not live here."""
        analysis = self._analyses.get(stream_id)
        return analysis is not None and analysis.anchor(annotation_id, points)

    def release(self, stream_id: StreamId, annotation_id: str) -> None:
        """Stop following an annotation, if its stream is live here. Safe to call twice."""
        analysis = self._analyses.get(stream_id)
        if analysis is not None:
            analysis.release(annotation_id)

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
        """Keep every analysis on its batch's active step from the step events, until
        cancelled."""
        with self._bus.subscribe() as subscription:
            subscription.topics.add("batches")
            while True:
                event = await subscription.queue.get()
                if event.get("type") in _STEP_EVENTS:
                    self._refresh(event.get("batch_id"))
                if subscription.lagging and subscription.queue.empty():
                    subscription.lagging = False  # events were missed: re-read every batch
                    self._refresh(None)

    async def close(self) -> None:
        """Stop every analysis (server shutdown). Safe to call twice."""
        analyses, self._analyses = list(self._analyses.values()), {}
        for analysis in analyses:
            await analysis.close()
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _refresh(self, batch_id: str | None) -> None:
        for analysis in self._analyses.values():
            if batch_id in (None, analysis.stream.batch_id):
                self._in_background(analysis.refresh())

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("stream analysis failed", exc_info=task.exception())
