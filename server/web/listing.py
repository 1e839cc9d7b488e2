"""The HTTP side of paged lists: `?limit=&cursor=` in, `Link: <...>; rel="next"` and the
total out, and the parsing of list filters, for every list endpoint alike.

The body of a list stays a JSON array (the contract's v1 clients read it so); what a client
needs to walk the list is in the headers:

- `Link: </api/v1/batches?status=created&cursor=...>; rel="next"`: absent on the last page;
  the URL keeps the request's filters.
- `X-Total-Count: N` on a first page (no cursor) with at most COUNT_CAP matching rows, or
  `X-Total-More-Than: COUNT_CAP` when there are more (counting on would cost more than the page).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web

from server.db.paging import (
    COUNT_CAP,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    BadPageRequest,
    Keyset,
    Page,
    PageRequest,
    decode_cursor,
)

TOTAL_HEADER = "X-Total-Count"
MORE_THAN_HEADER = "X-Total-More-Than"


class BadFilter(BadPageRequest):
    """A list filter the server cannot apply (422, naming the parameter)."""

    code = "bad_filter"


def page_request(request: web.Request, keyset: Keyset) -> PageRequest:
    """The page a request asks for: `limit` (1..MAX_LIMIT, default DEFAULT_LIMIT), `cursor`."""
    text = request.query.get("limit")
    limit = DEFAULT_LIMIT
    if text is not None:
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
            raise BadPageRequest("limit", f"a whole number from 1 to {MAX_LIMIT}", text)
        limit = int(text)
    cursor = request.query.get("cursor")
    after = None if cursor is None else decode_cursor(keyset, cursor)
    return PageRequest(limit=limit, after=after)


def headers_of(request: web.Request, page: Page[Any]) -> dict[str, str]:
    """The `Link` and total headers of one page of a list."""
    headers: dict[str, str] = {}
    if page.next_cursor is not None:
        following = request.rel_url.update_query(cursor=page.next_cursor)
        headers["Link"] = f'<{following}>; rel="next"'
    if page.total is not None:
        headers[TOTAL_HEADER] = str(page.total)
    if page.more_than is not None:
        headers[MORE_THAN_HEADER] = str(page.more_than)
    return headers


def choices(request: web.Request, name: str, allowed: Iterable[str]) -> list[str]:
    """A comma-separated filter of known values (`?status=created,in_progress`), or []."""
    text = request.query.get(name)
    if not text:
        return []
    known = sorted(str(value) for value in allowed)
    values = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [value for value in values if value not in known]
    if unknown:
        raise BadFilter(name, f"unknown {', '.join(unknown)}; one of {', '.join(known)}", text)
    return values


def moment(request: web.Request, name: str) -> datetime | None:
    """A time filter: an ISO-8601 date or timestamp (a date means its start, UTC)."""
    text = request.query.get(name)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadFilter(name, "an ISO-8601 date or time, e.g. 2026-12-01T00:00:00Z", text) from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def day(request: web.Request, name: str) -> date | None:
    """A date filter (`2026-12-31`)."""
    text = request.query.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadFilter(name, "an ISO-8601 date, e.g. 2026-12-31", text) from exc


def flag(request: web.Request, name: str) -> bool | None:
    """A yes/no filter (`true`/`false`), or None when absent."""
    text = request.query.get(name)
    if text is None or text == "":
        return None
    if text.lower() not in {"true", "false", "1", "0"}:
        raise BadFilter(name, "true or false", text)
    return text.lower() in {"true", "1"}


def text(request: web.Request, name: str) -> str | None:
    """A free-text filter (blank means absent)."""
    value = request.query.get(name, "").strip()
    return value or None


PAGING_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "description": "How many items per page.",
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Opaque: where the next page starts, as given in the previous page's "
        '`Link: <...>; rel="next"` header. Follow that URL rather than building one.',
    },
]
PAGING_HEADERS: dict[str, Any] = {
    "Link": {
        "description": 'The next page, `<URL>; rel="next"` (RFC 8288); absent on the last page.',
        "schema": {"type": "string"},
    },
    TOTAL_HEADER: {
        "description": f"On a first page: how many items match (when at most {COUNT_CAP}).",
        "schema": {"type": "integer"},
    },
    MORE_THAN_HEADER: {
        "description": f"On a first page, instead of {TOTAL_HEADER}: more than this many match.",
        "schema": {"type": "integer"},
    },
}
