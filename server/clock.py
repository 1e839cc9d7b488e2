"""Time in one place: always UTC and timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    """ISO-8601 with a `Z` suffix, as the public contract writes times."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Stepwise only handles timezone-aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def isoformat_or_none(moment: datetime | None) -> str | None:
    """`isoformat(moment)`, or None for a time that has not happened."""
    return None if moment is None else isoformat(moment)
