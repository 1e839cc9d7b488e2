"""Finding 4 of the adversarial review: a refused request's input is audited in a bounded
form, and a batch's audit reads back whatever its entries hold."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert

from server.audit.models import AuditEntry
from server.clock import utcnow
from server.config import Settings
from server.db.engine import open_database
from server.web.json_limits import MAX_DEPTH, MAX_SAFE_INTEGER, MAX_STRING_CHARS
from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient

JSON = {"Content-Type": "application/json"}


def _worst_value() -> Any:
    """As deep, as long and as large as the boundary lets through (about 0.9 MiB)."""
    leaf: Any = ["x" * MAX_STRING_CHARS] * 8 + [MAX_SAFE_INTEGER, "é\u2028\x00"]
    for _ in range(MAX_DEPTH - 4):  # the body, "values" and the input take three levels
        leaf = {"a": leaf}
    return leaf


async def test_the_worst_refused_input_is_stored_bounded_and_reads_back(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    body = json.dumps({"values": {"area_clean": _worst_value()}})
    refused = await api.call(
        "POST",
        f"/batches/{batch['id']}/steps/clearance/complete",
        "olivia",
        data=body,
        headers=JSON,
    )
    assert refused.status == 422, refused.body
    audit = await api.get(f"/batches/{batch['id']}/audit", "quinn")
    assert audit.status == 200, audit.body
    refusal = audit.body[-1]
    assert refusal["action"] == "step.completion_refused"
    assert refusal["new"]["truncated"] is True
    assert refusal["new"]["chars"] > 800_000 and len(refusal["new"]["preview"]) == 4096
    assert len(refusal["new"]["sha256"]) == 64
    assert (await api.get("/audit/verify", "quinn")).body["ok"] is True


async def test_a_small_refused_input_is_kept_as_it_was(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    refused = await api.post(
        f"/batches/{batch['id']}/steps/clearance/complete", "olivia", {"values": {"area_clean": 3}}
    )
    assert refused.status == 422, refused.body
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert audit[-1]["new"] == {"step_id": "clearance", "values": {"area_clean": 3}}


async def test_the_audit_reads_back_whatever_an_entry_holds(
    api: ApiClient, settings: Settings
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    stored = ['{"a":' * 100_000 + "1" + "}" * 100_000, "{not json", '"' + "x" * 500_000 + '"']
    database = open_database(settings.effective_database_url)
    try:
        async with database.writer.begin() as connection:
            await connection.execute(
                insert(AuditEntry.__table__),
                [
                    _entry(seq, batch["id"], text)
                    for seq, text in enumerate(stored, start=1_000_000)
                ],
            )
    finally:
        await database.dispose()
    audit = await api.get(f"/batches/{batch['id']}/audit", "quinn")
    assert audit.status == 200, audit.body
    deep, broken, long = audit.body[-3:]
    assert deep["new"]["truncated"] is True and broken["new"]["preview"] == "{not json"
    assert long["new"] == "x" * 500_000


def _entry(seq: int, batch_id: str, new: str) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": utcnow(),
        "actor_id": None,
        "actor": "intruder",
        "action": "step.completion_refused",
        "entity_type": "step",
        "entity_id": "x",
        "batch_id": batch_id,
        "old": None,
        "new": new,
        "reason": None,
        "prev_hash": "0" * 64,
        "hash": "0" * 64,
    }
