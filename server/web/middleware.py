"""The one place where errors become problem documents."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server.errors import ServerBusy, StepwiseError
from server.web.problems import from_domain_error, from_http_error, problem

log = logging.getLogger(__name__)


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors and aiohttp errors as RFC 9457 JSON; a bug is a logged, opaque 500."""
    try:
        return await handler(request)
    except StepwiseError as exc:
        return from_domain_error(exc)
    except PoolTimeout:  # every database connection stayed busy: overload, not a bug
        log.warning("no database connection in time for %s %s", request.method, request.path)
        return from_domain_error(ServerBusy())
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return from_http_error(exc)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(
            500,
            "internal-error",
            "Internal error",
            "The server failed; nothing was recorded. The error is logged.",
        )
