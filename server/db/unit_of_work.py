"""The unit of work: one transaction whose staged events are published if, and only if, it
commits. Every write of the server goes through it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from server.db.engine import Database
from server.events import journal
from server.events.bus import EventBus
from server.events.staging import take_staged


@asynccontextmanager
async def unit_of_work(
    database: Database, bus: EventBus, *, readonly: bool = False
) -> AsyncIterator[AsyncSession]:
    """A session in a transaction: number the events its services staged (a batch's `seq`),
    commit, then publish them."""
    async with database.sessions(readonly=readonly)() as session:
        async with session.begin():
            yield session
            # Numbered and journaled before commit: they exist exactly when the data does.
            events = take_staged(session)
            unsent = await journal.number(session, events, bus.channel)
            await bus.before_commit(session, unsent)
        bus.after_commit(events)
