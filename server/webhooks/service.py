"""Webhook subscriptions (admins only) and their delivery logs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.clock import utcnow
from server.db.paging import Keyset, Page, PageRequest, fetch_page
from server.events.schemas import Event
from server.networks import Network, allowed_addresses
from server.webhooks import outbox
from server.webhooks.exceptions import (
    DeliveryNotFound,
    UnknownEventType,
    WebhookNotFound,
    WebhookTargetRefused,
)
from server.webhooks.models import WebhookDelivery, WebhookSubscription
from server.webhooks.signing import new_secret

# The `type` of every batch event (step, deviation, batch, hold, ...).
EVENT_TYPES = frozenset(
    get_args(model.model_fields["type"].annotation)[0] for model in get_args(get_args(Event)[0])
)


async def check_target(url: str, networks: tuple[Network, ...]) -> None:
    """WebhookTargetRefused unless the URL's host resolves only into `networks` (resolving
    takes time: do it before the transaction)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not parts.hostname or not await allowed_addresses(parts.hostname, port, networks):
        raise WebhookTargetRefused(url)


async def subscribe(
    session: AsyncSession,
    user: User,
    url: str,
    event_types: Sequence[str],
    description: str | None,
) -> WebhookSubscription:
    """Register `url` (its target checked already) for `event_types` (`*`: all); it receives
    the events committed from now on. The secret is made here and shown to the caller once."""
    unknown = set(event_types) - EVENT_TYPES - {"*"}
    if unknown:
        raise UnknownEventType(unknown, EVENT_TYPES)
    subscription = WebhookSubscription(
        url=url,
        event_types=sorted(set(event_types)),
        description=description,
        secret=new_secret(),
        active=True,
        created_by=user.id,
        created_at=utcnow(),
    )
    session.add(subscription)
    await session.flush()
    await outbox.start_cursors(session, subscription.id)
    new = {"url": url, "event_types": subscription.event_types, "description": description}
    await audit.record(
        session, auth.actor_of(user), "webhook.subscribed", "webhook", subscription.id, new=new
    )
    return subscription


async def find(session: AsyncSession, subscription_id: str) -> WebhookSubscription:
    subscription = await session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise WebhookNotFound(subscription_id)
    return subscription


async def list_subscriptions(session: AsyncSession) -> Sequence[WebhookSubscription]:
    """Every subscription, active first, newest first."""
    query = select(WebhookSubscription).order_by(
        WebhookSubscription.active.desc(), WebhookSubscription.created_at.desc()
    )
    return (await session.scalars(query)).all()


async def unsubscribe(
    session: AsyncSession, user: User, subscription_id: str, reason: str
) -> WebhookSubscription:
    """Stop delivering to a subscription (kept, with its log, for the record)."""
    subscription = await find(session, subscription_id)
    if subscription.active:
        subscription.active = False
        await audit.record(
            session, auth.actor_of(user), "webhook.unsubscribed", "webhook", subscription.id,
            old={"active": True}, new={"active": False}, reason=reason,
        )  # fmt: skip
    return subscription


DELIVERIES = Keyset("deliveries", (WebhookDelivery.id,), descending=True)


async def deliveries(
    session: AsyncSession, subscription_id: str, page: PageRequest
) -> Page[WebhookDelivery]:
    """A page of the subscription's deliveries, newest first."""
    await find(session, subscription_id)
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    return await fetch_page(session, query, DELIVERIES, page)


async def resend(
    session: AsyncSession, user: User, subscription_id: str, delivery_id: str
) -> WebhookDelivery:
    """Send a logged delivery once more (same `webhook-id`), as soon as the sender can."""
    number = int(delivery_id) if delivery_id.isdigit() else None
    delivery = None if number is None else await session.get(WebhookDelivery, number)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise DeliveryNotFound(delivery_id)
    delivery.resend = True
    await audit.record(
        session, auth.actor_of(user), "webhook.resend_requested", "webhook", subscription_id,
        new={"delivery": delivery.id, "message_id": delivery.message_id},
    )  # fmt: skip
    return delivery
