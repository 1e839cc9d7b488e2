"""What is due for delivery, and what became of each attempt.

The batch event journal is the outbox: an event is journaled in the transaction that made
the change, so exactly the committed events are delivered. A cursor per subscription and
batch says how far delivery got; a batch's events go out one at a time, in `seq` order, and
a failed one is retried (with backoff, for the retry window) before any later one is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.events import journal
from server.events.models import BatchEventCounter
from server.webhooks.models import WebhookCursor, WebhookDelivery, WebhookSubscription

# Per round: how many batches per subscription, and how many events per batch.
LANES_PER_ROUND = 50
EVENTS_PER_LANE = 50
LONGEST_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Target:
    """Where a subscription's deliveries go and how they are signed."""

    subscription_id: str
    url: str
    secret: str
    event_types: frozenset[str]

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


@dataclass(frozen=True)
class Message:
    """One event as delivered: `webhook-id` is the batch and seq, the same on every retry."""

    batch_id: str
    seq: int
    event_type: str
    at: datetime
    body: str

    @property
    def message_id(self) -> str:
        return f"{self.batch_id}.{self.seq}"


@dataclass(frozen=True)
class Lane:
    """A subscription's undelivered events of one batch, in order."""

    target: Target
    batch_id: str
    messages: list[Message]


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a 2xx, another status, or no answer at all."""

    status: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _target(subscription: WebhookSubscription) -> Target:
    return Target(
        subscription.id, subscription.url, subscription.secret, frozenset(subscription.event_types)
    )


def message_of(batch_id: str, seq: int, payload: str) -> Message:
    """A journaled event as delivered: `{"type", "timestamp", "data": event}`."""
    event = json.loads(payload)
    body = json.dumps({"type": event["type"], "timestamp": event["at"], "data": event})
    return Message(batch_id, seq, event["type"], datetime.fromisoformat(event["at"]), body)


async def due_lanes(session: AsyncSession, now: datetime) -> list[Lane]:
    """Every active subscription's batches with events past its cursor that are due now."""
    lanes: list[Lane] = []
    subscriptions = await session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    )
    for subscription in subscriptions.all():
        cursor = WebhookCursor
        behind = await session.execute(
            select(BatchEventCounter.batch_id, func.coalesce(cursor.done_seq, 0))
            .outerjoin(
                cursor,
                and_(
                    cursor.subscription_id == subscription.id,
                    cursor.batch_id == BatchEventCounter.batch_id,
                ),
            )
            .where(
                BatchEventCounter.last_seq > func.coalesce(cursor.done_seq, 0),
                or_(cursor.next_attempt_at.is_(None), cursor.next_attempt_at <= now),
            )
            .limit(LANES_PER_ROUND)
        )
        for batch_id, done in behind.all():
            found = await journal.events_after(session, batch_id, done, EVENTS_PER_LANE)
            messages = [message_of(batch_id, seq, payload) for seq, payload in found]
            lanes.append(Lane(_target(subscription), batch_id, messages))
    return lanes


async def resends(session: AsyncSession) -> list[tuple[Target, Message]]:
    """Deliveries asked for again by hand, with their subscription."""
    found = await session.execute(
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.resend.is_(True), WebhookSubscription.active.is_(True))
    )
    out: list[tuple[Target, Message]] = []
    for delivery, subscription in found.all():
        events = await journal.events_after(session, delivery.batch_id, delivery.seq - 1, 1)
        target = _target(subscription)
        out += [(target, message_of(delivery.batch_id, seq, payload)) for seq, payload in events]
    return out


async def _move_cursor(
    session: AsyncSession, target: Target, batch_id: str, done: int, retry_at: datetime | None
) -> None:
    cursor = await session.get(WebhookCursor, (target.subscription_id, batch_id))
    if cursor is None:
        session.add(WebhookCursor(subscription_id=target.subscription_id, batch_id=batch_id,
                                  done_seq=done, next_attempt_at=retry_at))  # fmt: skip
    else:
        cursor.done_seq, cursor.next_attempt_at = done, retry_at


async def skip(session: AsyncSession, target: Target, batch_id: str, seq: int) -> None:
    """Events up to `seq` are not of a wanted type: done with them."""
    await _move_cursor(session, target, batch_id, seq, None)


async def record(
    session: AsyncSession,
    target: Target,
    message: Message,
    outcome: Outcome,
    now: datetime,
    *,
    retry_base: timedelta,
    retry_window: timedelta,
    by_hand: bool = False,
) -> WebhookDelivery:
    """Log an attempt and move the cursor: on to the next event when delivered (or given up
    after `retry_window`), or to a retry after a backoff doubling from `retry_base`."""
    delivery = await session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == target.subscription_id,
            WebhookDelivery.batch_id == message.batch_id,
            WebhookDelivery.seq == message.seq,
        )
    )
    if delivery is None:
        delivery = WebhookDelivery(
            subscription_id=target.subscription_id, message_id=message.message_id,
            batch_id=message.batch_id, seq=message.seq, event_type=message.event_type,
            status="pending", attempts=0, first_attempt_at=now, resend=False,
        )  # fmt: skip
        session.add(delivery)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = outcome.status
    delivery.last_error = outcome.error[:500] if outcome.error else None
    delivery.resend = False
    if outcome.delivered:
        delivery.status, delivery.delivered_at = "delivered", now
    elif by_hand:
        pass  # a failed re-send by hand leaves the delivery as it was
    elif now - delivery.first_attempt_at >= retry_window:
        delivery.status = "abandoned"
    else:
        delivery.status = "pending"
    if not by_hand:
        if delivery.status == "pending":
            backoff = min(retry_base * 2 ** (delivery.attempts - 1), LONGEST_BACKOFF)
            await _move_cursor(session, target, message.batch_id, message.seq - 1, now + backoff)
        else:
            await _move_cursor(session, target, message.batch_id, message.seq, None)
    return delivery


async def start_cursors(session: AsyncSession, subscription_id: str) -> None:
    """A new subscription starts after every batch's newest committed event."""
    heads = select(literal(subscription_id), BatchEventCounter.batch_id, BatchEventCounter.last_seq)
    columns = ["subscription_id", "batch_id", "done_seq"]
    await session.execute(insert(WebhookCursor).from_select(columns, heads))
