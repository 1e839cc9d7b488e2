"""Time in one place: always UTC and timezone-aware.

`utcnow()` reads the wall clock, unless the running task replays a history on a
`ReplayClock` (`replaying`): the demo seeds batches that happened over past hours, holds
and timers included, through the same services as live work, each step stamped with the
time it is replayed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta


class ReplayClock:
    """A clock that stands still until told to move, and only moves forward."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("naive datetime: Stepwise only handles timezone-aware times")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> datetime:
        """Move forward by `by` (never back, never past the wall clock); the new time."""
        if by < timedelta(0):
            raise ValueError("a replay clock only moves forward")
        moved = self._now + by
        if moved > datetime.now(UTC):
            raise ValueError(f"replaying past the present: {isoformat(moved)}")
        self._now = moved
        return moved


# Per task (a context variable): a replay in one task never moves another task's time.
_REPLAY: ContextVar[ReplayClock | None] = ContextVar("stepwise_replay_clock", default=None)


@contextmanager
def replaying(clock: ReplayClock) -> Iterator[ReplayClock]:
    """Within the block, this task's `utcnow()` is `clock`'s time."""
    token = _REPLAY.set(clock)
    try:
        yield clock
    finally:
        _REPLAY.reset(token)


def utcnow() -> datetime:
    """The current time in UTC (a replay's time, while one runs in this task)."""
    replay = _REPLAY.get()
    return datetime.now(UTC) if replay is None else replay.now()


def isoformat(moment: datetime) -> str:
    """ISO-8601 with a `Z` suffix, as the public contract writes times."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Stepwise only handles timezone-aware times")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def isoformat_or_none(moment: datetime | None) -> str | None:
    """`isoformat(moment)`, or None for a time that has not happened."""
    return None if moment is None else isoformat(moment)
