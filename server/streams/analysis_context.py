"""Stream analysis as an application resource: started with the server, stopped before the
streams end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from server.streams.analysis import StreamAnalyses
from server.streams.context import LIVE_STREAMS
from server.web.keys import DATABASE, EVENTS

STREAM_ANALYSES = web.AppKey("stream_analyses", StreamAnalyses)


async def stream_analyses(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: analyses every live stream while its batch needs it.

    Runs after the live streams context, so it stops before the streams end.
    """
    analyses = StreamAnalyses(app[DATABASE], app[EVENTS])
    app[STREAM_ANALYSES] = analyses
    following = asyncio.create_task(analyses.follow())
    with app[LIVE_STREAMS].announcing_to(analyses):
        yield
    following.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await following
    await analyses.close()
