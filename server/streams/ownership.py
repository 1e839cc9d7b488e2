"""This process's side of stream ownership: claiming its streams, keeping their heartbeat
fresh, and finding where a stream that is not live here lives.

With one process nothing of this shows: every stream is live here. With several (on one
PostgreSQL database), a request for a stream that lives elsewhere is redirected to that
process, and a stream whose process stopped answering is reported ended (see `owners`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import utcnow
from server.db.engine import Database
from server.db.unit_of_work import unit_of_work
from server.events.bus import EventBus
from server.streams import owners
from server.streams.exceptions import StreamProcessGone
from server.streams.ids import StreamId
from server.streams.live import LiveStream
from server.streams.models import StreamOwner

log = logging.getLogger(__name__)
# Heartbeats per staleness window: one lost or late heartbeat does not end a stream.
BEATS_PER_WINDOW = 3


def new_process_id() -> str:
    """An id for this run of this process, unique among every process of the database."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class StreamOwnership:
    """Where the streams of every process live, as this process sees and keeps it."""

    def __init__(
        self, database: Database, bus: EventBus, process_url: str | None, stale_seconds: float
    ) -> None:
        self._database = database
        self._bus = bus
        self._url = process_url
        self._id = new_process_id()
        self.stale_after = timedelta(seconds=stale_seconds)

    @property
    def process(self) -> owners.Process:
        """This process; its URL is configured, or learned from the first publisher."""
        assert self._url is not None, "learn() the URL from a publisher's request first"
        return owners.Process(self._id, self._url)

    def learn(self, url: str) -> None:
        """Take this process's URL from a publisher's connection, unless it is configured."""
        if self._url is None:
            self._url = url

    async def claim(self, session: AsyncSession, stream: LiveStream) -> None:
        """The stream goes live in this process (StreamAlreadyLive if it lives elsewhere)."""
        await owners.claim(session, stream, self.process, utcnow(), self.stale_after)

    async def release(self, session: AsyncSession, stream: LiveStream) -> None:
        """The stream of this process ended."""
        await owners.release(session, stream.stream_id, self.process)

    async def elsewhere(self, stream_id: StreamId) -> str | None:
        """The URL of the other process the stream lives in; None when it lives in no other
        process. StreamProcessGone (after ending it) when its process stopped answering."""
        async with self._database.sessions(readonly=True)() as session, session.begin():
            owner = await owners.owner_of(session, stream_id)
        if owner is None or owner.process_id == self._id:
            return None
        if not owners.is_stale(owner, utcnow(), self.stale_after):
            return owner.process_url
        await self._end_stale([owner])
        raise StreamProcessGone(stream_id, owner.process_url)

    async def everywhere(self) -> list[StreamOwner]:
        """The streams live in any process that still answers (those of stale ones end)."""
        async with self._database.sessions(readonly=True)() as session, session.begin():
            found = await owners.live(session)
        now = utcnow()
        # This process's own streams are alive whatever their last heartbeat says: a
        # heartbeat late under load must not end them here.
        stale = [
            owner
            for owner in found
            if owner.process_id != self._id and owners.is_stale(owner, now, self.stale_after)
        ]
        if stale:
            await self._end_stale(stale)
        return [owner for owner in found if owner not in stale]

    async def _end_stale(self, stale: list[StreamOwner]) -> None:
        async with unit_of_work(self._database, self._bus) as session:
            ended = await owners.end_stale(session, stale, utcnow(), self.stale_after)
        for owner in ended:
            log.warning("stream %s ended: %s (%s)", owner.stream_id, owners.GONE, owner.process_url)

    async def beat(self, streams: Iterable[LiveStream]) -> None:
        """Say this process is alive, with its streams' viewer counts."""
        viewers = {str(stream.stream_id): len(stream.viewers) for stream in streams}
        if not viewers or self._url is None:
            return
        async with self._database.sessions()() as session, session.begin():
            await owners.heartbeat(session, self.process, viewers, utcnow())

    @contextlib.asynccontextmanager
    async def beating(self, streams: Iterable[LiveStream]) -> AsyncIterator[None]:
        """Keep the heartbeat of `streams` (a live view) fresh while the block runs."""
        task = asyncio.create_task(self._beat_forever(streams))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _beat_forever(self, streams: Iterable[LiveStream]) -> None:
        interval = self.stale_after.total_seconds() / BEATS_PER_WINDOW
        while True:
            await asyncio.sleep(interval)
            try:
                await self.beat(streams)
            except (SQLAlchemyError, OSError):  # a database hiccup: the next beat tries again
                log.exception("stream heartbeat failed")
