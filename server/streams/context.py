"""The live streams of the application as a resource: created at start, ended at stop."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from media.streams.webrtc import PeerSettings
from server.audit.service import Actor
from server.db.unit_of_work import unit_of_work
from server.streams import recordings
from server.streams import service as streams
from server.streams.live import LiveStream, LiveStreams
from server.streams.ownership import StreamOwnership
from server.web.keys import DATABASE, EVENTS, MEDIA_FILES, SETTINGS

LIVE_STREAMS = web.AppKey("live_streams", LiveStreams)
STREAM_OWNERSHIP = web.AppKey("stream_ownership", StreamOwnership)


async def live_streams(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: every stream's start and end is audited and its owning process
    recorded, the heartbeat of this process's streams is kept fresh, and every stream still
    live when the server stops is ended.

    Runs after the database and event bus contexts, so it closes before them.
    """
    database, bus, settings = app[DATABASE], app[EVENTS], app[SETTINGS]
    ownership = StreamOwnership(
        database, bus, settings.process_url, settings.stream_owner_stale_seconds
    )

    async def record_start(stream: LiveStream) -> None:
        async with unit_of_work(database, bus) as session:
            await ownership.claim(session, stream)
            await streams.record_started(session, stream)

    async def record_end(stream: LiveStream, actor: Actor, reason: str) -> None:
        async with unit_of_work(database, bus) as session:
            await recordings.stop_all(session, app[MEDIA_FILES], stream, actor)
            await streams.record_ended(session, stream, actor, reason)
            await ownership.release(session, stream)

    async def record_viewers(stream: LiveStream) -> None:
        async with unit_of_work(database, bus) as session:
            streams.record_viewers(session, stream)

    peers = PeerSettings(settings.ice_servers, settings.stream_idle_seconds or None)
    app[LIVE_STREAMS] = registry = LiveStreams(
        record_start, record_end, record_viewers=record_viewers, peers=peers
    )
    app[STREAM_OWNERSHIP] = ownership
    async with ownership.beating(registry):
        yield
    await registry.close()
