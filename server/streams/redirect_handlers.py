"""Requests for a stream that lives in another server process go there: `307 Temporary
Redirect` to the same path and query on that process (RFC 9725 §4.5 lets WHIP and WHEP
clients follow it; a 307 keeps the method and the body)."""

from __future__ import annotations

import contextlib

from aiohttp import web

from server.streams.context import LIVE_STREAMS, STREAM_OWNERSHIP
from server.streams.exceptions import StreamIdInvalid, StreamNotLive, StreamProcessGone
from server.streams.ids import StreamId
from server.streams.live import LiveStream


def url_of_connection(request: web.Request) -> str:
    """The URL of the address this process accepted `request` on: its own socket, never a
    load balancer in front of it."""
    transport = request.transport
    host, port = transport.get_extra_info("sockname")[:2] if transport else ("localhost", 0)
    if ":" in host:
        host = f"[{host}]"
    return f"{request.scheme}://{host}:{port}"


async def redirect_if_elsewhere(request: web.Request, stream_id: StreamId) -> None:
    """Answer 307 to the process the stream lives in, if that is another one;
    StreamProcessGone if that process stopped answering."""
    url = await request.app[STREAM_OWNERSHIP].elsewhere(stream_id)
    if url is not None:
        raise web.HTTPTemporaryRedirect(url + request.path_qs)


async def live_here(request: web.Request, stream_id: StreamId) -> LiveStream:
    """The stream, live in this process; else a 307 to the process it lives in, or
    StreamNotLive / StreamProcessGone."""
    stream = request.app[LIVE_STREAMS].find(stream_id)
    if stream is None:
        await redirect_if_elsewhere(request, stream_id)
        raise StreamNotLive(stream_id)
    return stream


async def follow_stream(request: web.Request, stream_id: str) -> None:
    """For what the analysis of a stream takes part in (anchoring an annotation): answer 307
    to the process the stream lives in, if another; nothing when it lives here, nowhere, or
    in a process that stopped answering (the annotation then stays where it was drawn), or
    for an invalid id (the service refuses it)."""
    with contextlib.suppress(StreamIdInvalid):
        parsed = StreamId.parse(stream_id)
        if request.app[LIVE_STREAMS].find(parsed) is None:
            with contextlib.suppress(StreamProcessGone):
                await redirect_if_elsewhere(request, parsed)
