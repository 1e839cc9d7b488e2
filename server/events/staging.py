"""Services stage events on their session; the unit of work delivers them after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.events.schemas import EventBase

_KEY = "stepwise.staged_events"


def stage(session: AsyncSession, event: EventBase) -> None:
    """Queue an event to be published when (and only if) this transaction commits."""
    session.info.setdefault(_KEY, []).append(event.wire())


def take_staged(session: AsyncSession) -> list[dict[str, Any]]:
    """Remove and return the events staged on `session`, as sent."""
    return session.info.pop(_KEY, [])
