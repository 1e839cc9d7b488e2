"""What one WebSocket client receives: its topics' live events and, for each batch it
follows, every event of the batch in `seq` order without gap or repeat.

A batch's cursor is the seq of the last event sent for it. A subscription with `after` first
replays the journal from there; live events that arrive meanwhile wait in the queue and
those at or below the cursor are dropped, so the seam between replay and live neither loses
nor repeats. A live event that overtook another (two commits delivered out of order) has
the gap read from the journal first. A client whose queue overflowed is told it lags, with
its cursors, and its subscriptions end: it resumes with `after` like any reconnecting client.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from server.db.engine import Database
from server.events import journal
from server.events.bus import Subscription
from server.events.schemas import Lagging, SubscriptionChanged

Send = Callable[[str], Awaitable[None]]
# Events read from the journal per query while replaying.
REPLAY_PAGE = 500


def batch_of(topic: str) -> str | None:
    """The batch id of a `batch:<id>` topic; None for `batches`."""
    return topic.removeprefix("batch:") if topic.startswith("batch:") else None


def reply_text(message: BaseModel) -> str:
    """A reply of the socket as sent (fields without a value left out)."""
    return json.dumps(message.model_dump(mode="json", exclude_none=True))


class Feed:
    """The events of one subscription, sent through `send` one at a time."""

    def __init__(self, subscription: Subscription, database: Database, send: Send) -> None:
        self._subscription = subscription
        self._database = database
        self._send = send
        self._cursors: dict[str, int] = {}
        # Replays, live events and subscription changes take turns, never interleave.
        self._turn = asyncio.Lock()

    async def subscribe(self, topic: str, after: int | None = None) -> None:
        """Follow `topic` and answer; with `after`, first send the batch's events after it."""
        async with self._turn:
            self._subscription.topics.add(topic)  # live events queue from here on
            batch_id = batch_of(topic)
            head = None
            if batch_id is not None:
                head = await self._head(batch_id)
                if after is not None:
                    self._cursors[batch_id] = after
                elif batch_id not in self._cursors:
                    self._cursors[batch_id] = head
            changed = SubscriptionChanged(type="subscribed", topic=topic, after=after, head=head)
            await self._send(reply_text(changed))
            if batch_id is not None and after is not None:
                await self._catch_up(batch_id)

    async def unsubscribe(self, topic: str) -> None:
        """Stop following `topic` and answer."""
        async with self._turn:
            self._subscription.topics.discard(topic)
            batch_id = batch_of(topic)
            if batch_id is not None:
                self._cursors.pop(batch_id, None)
            await self._send(reply_text(SubscriptionChanged(type="unsubscribed", topic=topic)))

    async def send_next(self) -> None:
        """Wait for the next live event and send it (or, if the queue overflowed, say so)."""
        event = await self._subscription.queue.get()
        async with self._turn:
            if self._subscription.lagging:
                await self._lagged()
            else:
                await self._live(event)

    async def _live(self, event: dict[str, Any]) -> None:
        seq, batch_id = event.get("seq"), event.get("batch_id")
        cursor = self._cursors.get(batch_id) if seq is not None and batch_id else None
        if cursor is None:  # transient, or of a batch followed only through `batches`
            await self._send(journal.wire_text(event))
            return
        if seq > cursor + 1:
            await self._catch_up(batch_id)
        if seq > self._cursors[batch_id]:
            await self._send(journal.wire_text(event))
            self._cursors[batch_id] = seq

    async def _catch_up(self, batch_id: str) -> None:
        """Send the batch's journaled events after its cursor, page by page."""
        while True:
            async with self._database.sessions(readonly=True)() as session, session.begin():
                page = await journal.events_after(
                    session, batch_id, self._cursors[batch_id], REPLAY_PAGE
                )
            for seq, text in page:
                await self._send(text)
                self._cursors[batch_id] = seq
            if len(page) < REPLAY_PAGE:
                return

    async def _lagged(self) -> None:
        """End every subscription (dropping what is queued) and tell the client where each
        batch stands, so that it resumes with `after`."""
        topics, cursors = sorted(self._subscription.topics), self._cursors
        self._subscription.topics.clear()
        self._cursors = {}
        queue = self._subscription.queue
        while not queue.empty():
            queue.get_nowait()
        self._subscription.lagging = False
        for topic in topics:
            batch_id = batch_of(topic)
            after = cursors.get(batch_id) if batch_id is not None else None
            await self._send(reply_text(Lagging(topic=topic, batch_id=batch_id, after=after)))

    async def _head(self, batch_id: str) -> int:
        async with self._database.sessions(readonly=True)() as session, session.begin():
            return await journal.head(session, batch_id)
