"""The live streams of the application as a resource: created at start, ended at stop."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from media.streams.webrtc import PeerSettings
from server.audit.service import Actor
from server.events.staging import take_staged
from server.streams import recordings
from server.streams import service as streams
from server.streams.live import LiveStream, LiveStreams
from server.web.keys import DATABASE, EVENTS, MEDIA_FILES, SETTINGS

LIVE_STREAMS = web.AppKey("live_streams", LiveStreams)


async def live_streams(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: every stream still live when the server stops is ended and audited.

    Runs after the database and event bus contexts, so it closes before them.
    """
    database, bus, settings = app[DATABASE], app[EVENTS], app[SETTINGS]

    async def record_end(stream: LiveStream, actor: Actor, reason: str) -> None:
        async with database.sessions()() as session, session.begin():
            await recordings.stop_all(session, app[MEDIA_FILES], stream, actor)
            await streams.record_ended(session, stream, actor, reason)
            events = take_staged(session)
            await bus.before_commit(session, events)
        bus.after_commit(events)

    peers = PeerSettings(settings.ice_servers, settings.stream_idle_seconds or None)
    app[LIVE_STREAMS] = registry = LiveStreams(record_end, peers=peers)
    yield
    await registry.close()
