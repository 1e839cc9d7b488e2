"""Services stage events on their session; the unit of work delivers them after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import isoformat, utcnow

_KEY = "stepwise.staged_events"


def stage(session: AsyncSession, event_type: str, batch_id: str | None, **fields: Any) -> None:
    """Queue an event to be published when (and only if) this transaction commits."""
    event = {"type": event_type, "batch_id": batch_id, "at": isoformat(utcnow()), **fields}
    session.info.setdefault(_KEY, []).append(event)


def take_staged(session: AsyncSession) -> list[dict[str, Any]]:
    """Remove and return the events staged on `session`."""
    return session.info.pop(_KEY, [])
