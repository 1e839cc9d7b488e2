"""In-process fan-out of committed events to WebSocket subscribers, with bounded queues."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)
Transport = Callable[[AsyncSession, list[dict[str, Any]]], Awaitable[None]]


@dataclass(eq=False)
class Subscription:
    """One listener's topics and its bounded queue; `lagging` once it overflowed."""

    queue: asyncio.Queue[dict[str, Any]]
    topics: set[str] = field(default_factory=set)
    lagging: bool = False

    async def next(self, seconds: float) -> dict[str, Any] | None:
        """The next event queued, or None after `seconds`. A task cancelled while waiting is
        always cancelled: `asyncio.wait_for` (Python 3.11) loses the cancellation when an
        event arrives at the same moment, and a background loop waiting this way then never
        ends (an application's shutdown hung on it)."""
        try:
            async with asyncio.timeout(seconds):
                return await self.queue.get()
        except TimeoutError:
            return None

    def wants(self, event: dict[str, Any]) -> bool:
        return "batches" in self.topics or f"batch:{event.get('batch_id')}" in self.topics


class EventBus:
    """Publishes events to local subscribers.

    On PostgreSQL, `before_commit` also sends each event with NOTIFY inside the writing
    transaction; every server process (this one included) receives it by LISTEN and
    delivers it locally, so events cross processes and exist only if the data committed.
    """

    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        # Set while a database channel carries events (PostgreSQL LISTEN/NOTIFY).
        self.transport: Transport | None = None
        # The NOTIFY channel of that transport: the journal sends a batch's events on it
        # with the statement that numbers them.
        self.channel: str | None = None

    @contextmanager
    def subscribe(self) -> Iterator[Subscription]:
        """A subscription that ends when the block does."""
        subscription = Subscription(asyncio.Queue(self._queue_size))
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def deliver(self, event: dict[str, Any]) -> None:
        """Hand an event to every interested subscriber; a full queue marks it lagging."""
        for subscription in self._subscriptions:
            if subscription.lagging or not subscription.wants(event):
                continue
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                subscription.lagging = True
                log.warning("event subscriber lagging; it will be told to resume")

    async def before_commit(self, session: AsyncSession, events: list[dict[str, Any]]) -> None:
        """Send events with the transaction (PostgreSQL NOTIFY is transactional)."""
        if self.transport is not None and events:
            await self.transport(session, events)

    def after_commit(self, events: list[dict[str, Any]]) -> None:
        """Deliver locally when no database channel carries the events."""
        if self.transport is not None:
            return
        for event in events:
            self.deliver(event)
