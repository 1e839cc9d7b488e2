"""One log line per request: method, path, status, duration and who asked.

The path is logged without its query string (a WebSocket's `?token=` must never reach a log),
and nothing of the headers or body: tokens and passwords stay out of the logs."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

access = logging.getLogger("stepwise.access")
# Who asked, set once the request's user is known (unknown: "-").
ACCESS_USER = web.RequestKey("access_user", str)


def note_user(request: web.Request, username: str) -> None:
    """Remember who asks, for the request's access line."""
    request[ACCESS_USER] = username


@web.middleware
async def access_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Log the request once it is answered (or failed), at INFO."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        milliseconds = round((time.perf_counter() - started) * 1000, 1)
        user = request.get(ACCESS_USER, "-")
        access.info(
            "%s %s %d %.1f ms %s",
            request.method,
            request.path,
            status,
            milliseconds,
            user,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": milliseconds,
                "user": user,
            },
        )
