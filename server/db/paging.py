"""Keyset paging of every list: one sort order per list, an opaque cursor, a bounded count.

A list is read a page at a time in a fixed order whose last column is unique (an id or a
sequence number), so a page starts strictly after the last row of the one before: rows
inserted meanwhile never shift a page, none is read twice and none skipped (OFFSET would do
both). The cursor is that last row's sort key as base64url JSON, tagged with the list it
belongs to; clients treat it as opaque. No HTTP here: `server/web/listing.py` reads the
query string and writes the `Link` header.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, false, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.errors import Invalid, Problem

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Counting stops here: above it a list says "more than COUNT_CAP" instead of counting on.
COUNT_CAP = 10_000
_HIGHEST = "\U0010ffff"


class BadPageRequest(Invalid):
    """A `limit`, `cursor` or filter the server cannot list with (422, naming the parameter)."""

    code = "bad_paging"

    def __init__(self, parameter: str, message: str, value: object = None) -> None:
        super().__init__(
            f"Bad parameter {parameter}: {message}",
            problems=[Problem(field=parameter, code=self.code, message=message, value=value)],
        )


@dataclass(frozen=True)
class Keyset:
    """A list's order: its columns (the last one unique), all descending or all ascending.

    `name` tags the cursors of this list, so a cursor of another list is refused. `keys`
    names the attributes of a loaded row holding the sort key, where they are not the
    columns' own names (an order on a joined table's copy of the row's key)."""

    name: str
    columns: tuple[InstrumentedAttribute[Any], ...]
    descending: bool = False
    keys: tuple[str, ...] = ()

    def order(self) -> list[ColumnElement[Any]]:
        return [column.desc() if self.descending else column.asc() for column in self.columns]

    def after(self, key: Sequence[Any]) -> ColumnElement[bool]:
        """Rows strictly after `key` in this order: one row comparison, which both backends
        answer as a range of an index ending in these columns, so a page deep in a list
        reads as little as the first (an OR of column comparisons made PostgreSQL scan the
        index from the list's start)."""
        row = tuple_(*self.columns)
        return row < tuple(key) if self.descending else row > tuple(key)

    def key_of(self, row: Any) -> list[Any]:
        """The sort key of a loaded row (an entity, or a tuple whose first item is one)."""
        entity = row if not isinstance(row, tuple) else row[0]
        names = self.keys or tuple(column.key for column in self.columns)
        return [getattr(entity, name) for name in names]


@dataclass(frozen=True)
class PageRequest:
    """Which page: at most `limit` rows after `after` (None: the first page)."""

    limit: int = DEFAULT_LIMIT
    after: Sequence[Any] | None = None
    count: bool = True


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, the cursor of the next page (None on the last), and
    the total where it was counted (`total`, or `more_than` once the count passes the cap)."""

    items: list[T]
    next_cursor: str | None = None
    total: int | None = None
    more_than: int | None = None

    def map(self, convert: Callable[[Any], Any]) -> Page[Any]:
        """The same page with each row converted (to its API shape)."""
        return Page(
            [convert(item) for item in self.items], self.next_cursor, self.total, self.more_than
        )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, str | int) or value is None:
        return value
    return str(value)  # an enum member: its text


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"}:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and set(value) == {"d"}:
        return date.fromisoformat(value["d"])
    if isinstance(value, str | int) and not isinstance(value, bool):
        return value
    raise ValueError(f"unexpected key part {value!r}")


def encode_cursor(keyset: Keyset, key: Sequence[Any]) -> str:
    """The opaque cursor after the row with sort key `key`."""
    text = json.dumps(
        {"l": keyset.name, "k": [_plain(part) for part in key]}, separators=(",", ":")
    )
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(keyset: Keyset, cursor: str) -> list[Any]:
    """The sort key inside a cursor of this list, or BadPageRequest."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        document = json.loads(raw)
        key = [_typed(part) for part in document["k"]]
        name = document["l"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise BadPageRequest("cursor", "not a cursor this server gave out", cursor) from exc
    if name != keyset.name:
        raise BadPageRequest("cursor", f"a cursor of another list ({name})", cursor)
    if len(key) != len(keyset.columns):
        raise BadPageRequest("cursor", "not a cursor this server gave out", cursor)
    return key


async def _count(session: AsyncSession, query: Select[Any]) -> tuple[int | None, int | None]:
    bounded = query.order_by(None).limit(COUNT_CAP + 1).subquery()
    counted = int(await session.scalar(select(func.count()).select_from(bounded)) or 0)
    return (counted, None) if counted <= COUNT_CAP else (None, COUNT_CAP)


async def fetch_page(
    session: AsyncSession,
    query: Select[Any],
    keyset: Keyset,
    page: PageRequest,
    *,
    scalars: bool = True,
) -> Page[Any]:
    """One page of `query` (filters applied, no order yet) in `keyset` order.

    The total is counted (up to COUNT_CAP) only on the first page, where a list shows it.
    `scalars=False` pages a select of several entities (rows as tuples)."""
    total, more_than = (None, None)
    if page.count and page.after is None:
        total, more_than = await _count(session, query)
    ordered = query.order_by(*keyset.order()).limit(page.limit + 1)
    if page.after is not None:
        ordered = ordered.where(keyset.after(page.after))
    result = await session.execute(ordered)
    rows: list[Any] = list(result.scalars()) if scalars else [tuple(row) for row in result]
    following = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        following = encode_cursor(keyset, keyset.key_of(rows[-1]))
    return Page(rows, following, total, more_than)


def prefixed(column: InstrumentedAttribute[str], prefix: str) -> list[ColumnElement[bool]]:
    """Rows whose `column` starts with `prefix`, ignoring case: a range on `lower(column)`,
    which an index on that expression serves on both backends (LIKE would on neither)."""
    lowered, start = func.lower(column), prefix.lower()
    return [lowered >= start, lowered < start + _HIGHEST]


def nothing() -> ColumnElement[bool]:
    """A filter no row passes (a filter naming something that does not exist)."""
    return false()
