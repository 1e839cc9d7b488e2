"""Webhook failures.

StepwiseError
 ├── NotFound
 │    ├── WebhookNotFound        no subscription with that id
 │    └── DeliveryNotFound       no delivery with that id in the subscription's log
 └── Invalid
      ├── WebhookTargetRefused   the URL's host is outside the allowed networks
      └── UnknownEventType       an event type no batch event has
"""

from __future__ import annotations

from collections.abc import Iterable

from server.errors import Invalid, NotFound, Problem


class WebhookNotFound(NotFound):
    def __init__(self, subscription_id: str) -> None:
        super().__init__(f"No webhook subscription with id {subscription_id!r}.")


class DeliveryNotFound(NotFound):
    def __init__(self, delivery_id: str) -> None:
        super().__init__(f"No delivery {delivery_id!r} in this subscription's log.")


class WebhookTargetRefused(Invalid):
    def __init__(self, url: str) -> None:
        super().__init__(
            f"{url} is not on a network webhooks may be sent to.",
            problems=[
                Problem(
                    "url",
                    "its host must resolve only to addresses in STEPWISE_WEBHOOK_NETWORKS",
                    code="network_not_allowed",
                    value=url,
                )
            ],
        )


class UnknownEventType(Invalid):
    def __init__(self, unknown: Iterable[str], known: Iterable[str]) -> None:
        names = ", ".join(sorted(unknown))
        super().__init__(
            f"No batch event has the type {names}.",
            problems=[
                Problem(
                    "event_types",
                    f"unknown: {names}; use {', '.join(sorted(known))} or *",
                    code="unknown_event_type",
                )
            ],
        )
