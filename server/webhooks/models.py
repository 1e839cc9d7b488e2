"""Webhook subscriptions, how far each has delivered each batch, and the delivery log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id


class WebhookSubscription(Base):
    """A URL that receives the batch events of the types it asked for, signed with `secret`
    (Standard Webhooks: `whsec_` and the key in base64)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON)  # event `type`s; ["*"]: all
    description: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class WebhookCursor(Base):
    """The last `seq` of a batch's events a subscription is done with (delivered, not wanted,
    or given up on), and the retry state of the next one."""

    __tablename__ = "webhook_cursors"

    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id"), primary_key=True
    )
    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    done_seq: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event sent (or being sent) to one subscription: the delivery log."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(60))  # `webhook-id`: batch id and seq
    batch_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(40))
    # pending (being retried), delivered, abandoned (retried for the whole retry window)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    first_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    resend: Mapped[bool] = mapped_column(Boolean, default=False)  # asked for again by hand
