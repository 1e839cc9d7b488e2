"""Bad input gets a 4xx problem document and changes nothing."""

from __future__ import annotations

from tests.api.fixtures import approved_procedure
from tests.client import ApiClient


async def _batch_count(api: ApiClient) -> int:
    return len((await api.get("/batches", "sam")).body)


async def test_malformed_json_is_400(api: ApiClient) -> None:
    answer = await api.call(
        "POST", "/batches", "sam", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status == 400
    assert answer.body["title"] and "not valid JSON" in answer.body["detail"]


async def test_wrong_content_type_is_415(api: ApiClient) -> None:
    answer = await api.call(
        "POST",
        "/batches",
        "sam",
        data=b"procedure=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 415


async def test_wrong_types_and_unknown_fields_name_each_field(api: ApiClient) -> None:
    before = await _batch_count(api)
    answer = await api.post(
        "/batches", "sam", {"procedure": 3, "batch_number": "B1", "colour": "red"}
    )
    assert answer.status == 422
    fields = {error["field"] for error in answer.body["errors"]}
    assert fields == {"procedure", "colour"}
    assert await _batch_count(api) == before


async def test_unknown_ids_are_404(api: ApiClient) -> None:
    assert (await api.get("/batches/nope", "sam")).status == 404
    assert (await api.get("/procedures/nope/versions/1", "sam")).status == 404
    bad_version = await api.get("/procedures/dispensing/versions/one", "sam")
    assert bad_version.status == 422


async def test_unknown_route_and_method_are_problems(api: ApiClient) -> None:
    missing = await api.get("/nothing-here", "sam")
    assert missing.status == 404 and missing.body["status"] == 404
    wrong = await api.call("DELETE", "/batches", "sam")
    assert wrong.status == 405 and "allowed" in wrong.body["detail"]


async def test_oversized_body_is_413_and_records_nothing(api: ApiClient) -> None:
    before = await _batch_count(api)
    answer = await api.post(
        "/batches", "sam", {"procedure": "x" * (2 * 1024 * 1024), "batch_number": "B"}
    )
    assert answer.status == 413
    assert await _batch_count(api) == before


async def test_duplicate_batch_number_is_409(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    body = {"procedure": "test-line", "batch_number": "DUP-1"}
    first = await api.post("/batches", "sam", body)
    assert first.status == 201, first.body
    second = await api.post("/batches", "sam", body)
    assert second.status == 409
