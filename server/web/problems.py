"""RFC 9457 problem documents, and the one table that maps domain errors to HTTP."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from server.auth.exceptions import InvalidCredentials, NotAuthenticated
from server.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    ServerBusy,
    StepwiseError,
)
from server.web.body import BodyTooLarge, MalformedBody, UnsupportedMediaType

PROBLEM_TYPE = "application/problem+json"

# The only place where a domain error becomes an HTTP status.
STATUS_OF: list[tuple[type[StepwiseError], int]] = [
    (NotAuthenticated, 401),
    (InvalidCredentials, 401),
    (MalformedBody, 400),
    (BodyTooLarge, 413),
    (UnsupportedMediaType, 415),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Invalid, 422),
    (PreconditionFailed, 412),
    (PreconditionRequired, 428),
    (ServerBusy, 503),
]
RETRY_AFTER_SECONDS = 2  # with a 503: when a client may send the same request again


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> web.Response:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"urn:stepwise:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update({key: value for key, value in extra.items() if value is not None})
    headers = {
        401: {"WWW-Authenticate": 'Bearer realm="stepwise"'},
        503: {"Retry-After": str(RETRY_AFTER_SECONDS)},
    }.get(status)
    return web.json_response(body, status=status, content_type=PROBLEM_TYPE, headers=headers)


def problem_entry(item: Problem) -> dict[str, Any]:
    """A typed problem as one entry of a problem document's `errors` (unset parts left out)."""
    entry: dict[str, Any] = {"field": item.field}
    if item.code is not None:
        entry["code"] = item.code
    entry["message"] = item.message
    if item.value is not None:
        entry["value"] = item.value
    if item.limit is not None:
        entry["limit"] = dict(item.limit)
    return entry | dict(item.details)


def from_domain_error(error: StepwiseError) -> web.Response:
    """Map a domain error to its problem response."""
    status = next(code for kind, code in STATUS_OF if isinstance(error, kind))
    name = type(error).__name__
    title = _slug(name).replace("-", " ").capitalize()
    current = error.current if isinstance(error, Conflict | PreconditionFailed) else None
    errors = [problem_entry(item) for item in error.problems]
    return problem(status, _slug(name), title, error.detail, errors=errors, current=current)


def from_http_error(error: web.HTTPException) -> web.Response:
    """aiohttp's own errors (unknown route, wrong method, body too large) as problems."""
    allowed = ", ".join(sorted(getattr(error, "allowed_methods", [])))
    detail = {
        404: "No such resource.",
        405: f"Method not allowed here; allowed: {allowed}.",
        413: "The request body is too large.",
    }.get(error.status, error.reason)
    answer = problem(error.status, _slug(error.reason.replace(" ", "")), error.reason, detail)
    if error.status == 405:
        answer.headers["Allow"] = allowed  # RFC 9110 §15.5.6: a 405 says what is allowed
    return answer
