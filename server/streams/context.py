"""The live streams of the application as a resource: created at start, ended at stop."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from server.audit.service import Actor
from server.events.staging import take_staged
from server.streams import service as streams
from server.streams.live import LiveStream, LiveStreams
from server.web.keys import DATABASE, EVENTS

LIVE_STREAMS = web.AppKey("live_streams", LiveStreams)


async def live_streams(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: every stream still live when the server stops is ended and audited.

    Runs after the database and event bus contexts, so it closes before them.
    """
    database, bus = app[DATABASE], app[EVENTS]

    async def record_end(stream: LiveStream, actor: Actor, reason: str) -> None:
        async with database.sessions()() as session, session.begin():
            await streams.record_ended(session, stream, actor, reason)
            events = take_staged(session)
            await bus.before_commit(session, events)
        bus.after_commit(events)

    app[LIVE_STREAMS] = registry = LiveStreams(record_end)
    yield
    await registry.close()
