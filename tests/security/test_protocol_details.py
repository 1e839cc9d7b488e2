"""Finding 14: protocol details clients rely on."""

from __future__ import annotations

from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY


async def test_a_405_says_which_methods_are_allowed(api: ApiClient) -> None:
    answer = await api.call("PUT", "/batches", "sam", json={})
    assert answer.status == 405, answer.body
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


async def test_the_api_document_states_path_and_header_rules(api: ApiClient) -> None:
    document = (await api.call("GET", "/openapi.json", None)).body
    whep = document["paths"]["/api/v1/streams/{stream_id}/whep"]["post"]["parameters"]
    stream_id = next(p for p in whep if p["name"] == "stream_id")
    assert stream_id["schema"]["pattern"].startswith("^")
    version = document["paths"]["/api/v1/procedures/{key}/versions/{version}"]["get"]
    versions = next(p for p in version["parameters"] if p["name"] == "version")
    assert versions["schema"]["type"] == "integer"
    complete = document["paths"]["/api/v1/batches/{batch_id}/steps/{step_id}/complete"]["post"]
    key = next(p for p in complete["parameters"] if p["name"] == "Idempotency-Key")
    assert key["schema"]["minLength"] == 1
