"""Finding 4 and 7 of the adversarial review: hostile JSON is refused at the boundary with a
4xx problem naming where, records nothing, and leaves every record readable."""

from __future__ import annotations

import pytest

from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

JSON = {"Content-Type": "application/json"}


def _nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.mark.parametrize("levels", [260, 1_000, 100_000])
async def test_deeply_nested_json_at_sign_in_is_a_4xx(api: ApiClient, levels: int) -> None:
    answer = await api.call("POST", "/auth/login", None, data=_nested(levels), headers=JSON)
    assert answer.status in (400, 422), answer.body
    assert answer.body["status"] == answer.status


async def test_a_deeply_nested_value_is_refused_and_the_audit_stays_readable(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    body = '{"values": {"area_clean": ' + _nested(260) + "}}"
    refused = await api.call(
        "POST",
        f"/batches/{batch['id']}/steps/clearance/complete",
        "olivia",
        data=body,
        headers=JSON,
    )
    assert refused.status == 422, refused.body
    assert refused.body["errors"][0]["code"] == "out_of_limits"
    audit = await api.get(f"/batches/{batch['id']}/audit", "quinn")
    assert audit.status == 200, audit.body
    record = await api.get(f"/batches/{batch['id']}", "olivia")
    assert record.body["steps"][0]["state"] == "active"


@pytest.mark.parametrize(
    "number", ["1" * 5_000, "1180591620717411303424", "-9007199254740993", "NaN", "Infinity"]
)
async def test_numbers_no_client_can_read_exactly_are_refused(api: ApiClient, number: str) -> None:
    body = (
        '{"procedure": "stw101-granulation", "batch_number": "B-HUGE", "version": ' + number + "}"
    )
    answer = await api.call("POST", "/batches", "sam", data=body, headers=JSON)
    assert answer.status == 422, answer.body
    listed = await api.get("/batches", "sam")
    assert all(b["batch_number"] != "B-HUGE" for b in listed.body)


async def test_a_version_beyond_what_is_stored_is_a_422_not_a_500(api: ApiClient) -> None:
    body = {"procedure": "stw101-granulation", "batch_number": "B-BIG", "version": 2**40}
    created = await api.post("/batches", "sam", body)
    assert created.status == 422, created.body
    path = await api.get(
        "/procedures/stw101-granulation/versions/99999999999999999999999", "olivia"
    )
    assert path.status == 422, path.body
    assert path.body["errors"][0]["field"] == "version"


@pytest.mark.parametrize("key", ["", "   ", "k" * 201, "clé"])
async def test_an_idempotency_key_that_cannot_be_one_is_refused(api: ApiClient, key: str) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    headers = {"Idempotency-Key": key.encode().decode("latin-1")}
    answer = await api.post(
        f"/batches/{batch['id']}/steps/clearance/complete",
        "olivia",
        {"values": {"area_clean": True}},
        headers=headers,
    )
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["field"] == "Idempotency-Key"
    record = await api.get(f"/batches/{batch['id']}", "olivia")
    assert record.body["steps"][0]["state"] == "active"
