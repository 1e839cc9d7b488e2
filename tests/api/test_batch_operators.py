"""Issue 20: the batch list narrowed to an operator (kept in batch_operators as people start
batches and perform steps) gives the batches that person started or performed a step of."""

from __future__ import annotations

from server.config import Settings
from tests.api.batch_operators import USERS, batches_worked_on
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient


async def _numbers(api: ApiClient, username: str) -> set[str]:
    rows = await api.get_all(f"/batches?operator={username}&limit=2", "sam")
    assert len(rows) == len({row["id"] for row in rows})  # no batch twice across pages
    return {row["batch_number"] for row in rows}


async def test_the_operator_filter_gives_the_batches_a_person_started_or_performed_a_step_of(
    api: ApiClient, settings: Settings
) -> None:
    await approved_procedure(api, "test_line.yaml")
    shared = await started_batch(api)  # olivia starts, omar performs a step
    done = await complete(api, shared["id"], "clearance", "omar", values={"area_clean": True})
    assert done.status == 200, done.body
    verified = await started_batch(api)  # olivia performs, sam verifies (the signer performs)
    for step, body in (
        ("clearance", {"values": {"area_clean": True}}),
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
        ("verify_weigh", {"signature": signature("sam", "verified")}),
        ("output", {"values": {"output_kg": 10.0}}),
    ):
        done = await complete(api, verified["id"], step, **body)
        assert done.status == 200, done.body
    created = await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "OM-1"})
    started = await api.post(f"/batches/{created.body['id']}/start", "omar")
    assert started.status == 200, started.body
    await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "NOBODY-1"})

    assert await _numbers(api, "olivia") == {shared["batch_number"], verified["batch_number"]}
    assert await _numbers(api, "omar") == {shared["batch_number"], "OM-1"}
    assert await _numbers(api, "sam") == {verified["batch_number"]}
    assert await _numbers(api, "quinn") == set()
    for username in USERS:
        assert await _numbers(api, username) == await batches_worked_on(
            settings.effective_database_url, username
        ), username
    narrowed = await api.get_all("/batches?operator=olivia&status=in_progress&limit=1", "sam")
    assert {row["batch_number"] for row in narrowed} == {
        shared["batch_number"],
        verified["batch_number"],
    }
