"""The OpenAPI document covers every route the server answers."""

from __future__ import annotations

from tests.client import ApiClient


async def test_every_api_route_is_documented(api: ApiClient) -> None:
    document = (await api.call("GET", "/openapi.json", None)).body
    assert document["openapi"].startswith("3.1")
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (route.method, route.resource.canonical)
        for route in api.client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/v1/")
        and route.method != "HEAD"
        and route.resource.canonical != "/api/v1/openapi.json"
    }
    assert served and served <= documented
    complete = document["paths"]["/api/v1/batches/{batch_id}/steps/{step_id}/complete"]["post"]
    assert complete["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert any(p["name"] == "Idempotency-Key" for p in complete["parameters"])


async def test_stream_requests_that_may_go_to_another_process_declare_the_redirect(
    api: ApiClient,
) -> None:
    document = (await api.call("GET", "/openapi.json", None)).body
    redirecting = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "307" in operation["responses"]
    }
    watch = ("POST", "/api/v1/streams/{stream_id}/whep")
    assert watch in redirecting
    assert ("POST", "/api/v1/batches/{batch_id}/steps/{step_id}/complete") not in redirecting
    answer = document["paths"][watch[1]]["post"]["responses"]["307"]
    assert answer["headers"]["Location"]["required"] is True
