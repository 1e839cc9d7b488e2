"""Webhook API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, Field

from server.web.schemas import Strict
from server.webhooks.models import WebhookDelivery, WebhookSubscription


class SubscribeIn(Strict):
    url: AnyHttpUrl = Field(description="Where deliveries are POSTed (http or https).")
    event_types: list[str] = Field(
        min_length=1,
        max_length=20,
        description="Batch event types wanted (`step`, `deviation`, `batch`, `hold`, ...) or `*`.",
    )
    description: str | None = Field(None, max_length=200)


class UnsubscribeIn(Strict):
    reason: str = Field(min_length=1, max_length=500, description="Why, for the audit trail.")


class WebhookOut(BaseModel):
    """A subscription; its signing secret only in the answer that created it."""

    id: str
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    created_at: datetime
    secret: str | None = Field(
        None, description="`whsec_…` (Standard Webhooks); shown once, when subscribing."
    )

    @classmethod
    def of(cls, subscription: WebhookSubscription, *, with_secret: bool = False) -> WebhookOut:
        return cls(
            id=subscription.id,
            url=subscription.url,
            event_types=subscription.event_types,
            description=subscription.description,
            active=subscription.active,
            created_at=subscription.created_at,
            secret=subscription.secret if with_secret else None,
        )


class DeliveryOut(BaseModel):
    """One event's delivery to a subscription: the delivery log."""

    id: int
    message_id: str = Field(description="The `webhook-id` header: batch id and seq.")
    batch_id: str
    seq: int
    event_type: str
    status: str = Field(description="`pending` (being retried), `delivered` or `abandoned`.")
    attempts: int
    response_status: int | None
    last_error: str | None
    first_attempt_at: datetime
    last_attempt_at: datetime
    delivered_at: datetime | None
    resend: bool = Field(description="A re-send was asked for and is not done yet.")

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls.model_validate(delivery, from_attributes=True)
