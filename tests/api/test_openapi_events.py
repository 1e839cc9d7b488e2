"""The OpenAPI document publishes the WebSocket events' schemas."""

from __future__ import annotations

from typing import get_args

from server.events.schemas import Event
from tests.client import ApiClient


async def test_the_openapi_document_describes_every_event_type(api: ApiClient) -> None:
    document = (await api.call("GET", "/openapi.json", None)).body
    schemas = document["components"]["schemas"]
    union = schemas["Event"]

    assert document["x-events"]["schema"] == {"$ref": "#/components/schemas/Event"}
    assert document["x-events"]["replies"] == {"$ref": "#/components/schemas/Reply"}
    assert {"Hello", "SubscriptionChanged", "ProtocolError"} <= schemas.keys()
    assert union["discriminator"]["propertyName"] == "type"
    models = get_args(get_args(Event)[0])
    assert set(union["discriminator"]["mapping"]) == {
        get_args(model.model_fields["type"].annotation)[0] for model in models
    }
    for model in models:
        assert schemas[model.__name__]["required"][:3] == ["type", "batch_id", "at"]
