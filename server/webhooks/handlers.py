"""Webhook endpoints (admins): subscribe, list, unsubscribe, the delivery log, re-send."""

from __future__ import annotations

from server.auth.roles import ADMINS
from server.db.paging import Page
from server.web import listing as lists
from server.web.api import Api, Call, Preparation
from server.webhooks import service as webhooks
from server.webhooks.schemas import DeliveryOut, SubscribeIn, UnsubscribeIn, WebhookOut

api = Api("webhooks")
ONE = "/webhooks/{webhook_id}"


async def _target_allowed(preparation: Preparation[SubscribeIn]) -> None:
    networks = preparation.settings.allowed_webhook_networks
    await webhooks.check_target(str(preparation.body.url), networks)


@api.route(
    "POST",
    "/webhooks",
    summary="Subscribe a URL to batch events (signed, at least once, in order per batch)",
    roles=ADMINS,
    body=SubscribeIn,
    response=WebhookOut,
    status=201,
    idempotent=True,
    prepare=_target_allowed,
)
async def subscribe(call: Call[SubscribeIn]) -> WebhookOut:
    body = call.body
    subscription = await webhooks.subscribe(
        call.session, call.user, str(body.url), body.event_types, body.description
    )
    return WebhookOut.of(subscription, with_secret=True)


@api.route(
    "GET", "/webhooks", summary="List webhook subscriptions", roles=ADMINS,
    response=list[WebhookOut],
)  # fmt: skip
async def list_webhooks(call: Call[None]) -> list[WebhookOut]:
    return [WebhookOut.of(s) for s in await webhooks.list_subscriptions(call.session)]


@api.route("GET", ONE, summary="One webhook subscription", roles=ADMINS, response=WebhookOut)
async def get_webhook(call: Call[None]) -> WebhookOut:
    return WebhookOut.of(await webhooks.find(call.session, call.param("webhook_id")))


@api.route(
    "POST",
    ONE + "/unsubscribe",
    summary="Stop delivering to a subscription (it and its log are kept)",
    roles=ADMINS,
    body=UnsubscribeIn,
    response=WebhookOut,
    idempotent=True,
)
async def unsubscribe(call: Call[UnsubscribeIn]) -> WebhookOut:
    subscription = await webhooks.unsubscribe(
        call.session, call.user, call.param("webhook_id"), call.body.reason
    )
    return WebhookOut.of(subscription)


@api.route(
    "GET",
    ONE + "/deliveries",
    summary="The subscription's delivery log, newest first",
    roles=ADMINS,
    response=list[DeliveryOut],
    paged=True,
)
async def list_deliveries(call: Call[None]) -> Page[DeliveryOut]:
    page = lists.page_request(call.request, webhooks.DELIVERIES)
    found = await webhooks.deliveries(call.session, call.param("webhook_id"), page)
    return found.map(DeliveryOut.of)


@api.route(
    "POST",
    ONE + "/deliveries/{delivery_id}/resend",
    summary="Send a logged delivery once more, with the same webhook-id",
    roles=ADMINS,
    response=DeliveryOut,
    status=202,
)
async def resend_delivery(call: Call[None]) -> DeliveryOut:
    delivery = await webhooks.resend(
        call.session, call.user, call.param("webhook_id"), call.param("delivery_id")
    )
    return DeliveryOut.of(delivery)
