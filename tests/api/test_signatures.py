"""E-signatures are re-authenticated on every signing: a wrong password is refused, records
nothing and counts against the session that sent it (tests/security/test_accounts_lockout.py)."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient

DONE_BEFORE_VERIFY = [
    ("clearance", {"values": {"area_clean": True}}),
    ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
]


async def _at_verification(api: ApiClient) -> dict[str, Any]:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    for step_id, body in DONE_BEFORE_VERIFY:
        answer = await complete(api, batch["id"], step_id, **body)
        assert answer.status == 200, (step_id, answer.body)
    return batch


async def test_a_wrong_signature_password_is_refused_and_records_nothing(
    api: ApiClient,
) -> None:
    batch = await _at_verification(api)
    wrong = {**signature("sam", "verified"), "password": "not-sams"}
    refusals = [await complete(api, batch["id"], "verify_weigh", signature=wrong) for _ in range(4)]
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body

    assert [r.status for r in refusals] == [422] * 4
    assert refusals[0].body["errors"] == [
        {"field": "signature.password", "message": "re-enter your password"}
    ]
    [verify] = [s for s in record["steps"] if s["step_id"] == "verify_weigh"]
    assert verify["state"] == "active" and verify["signatures"] == []


async def test_someone_else_signs_with_their_own_password(api: ApiClient) -> None:
    batch = await _at_verification(api)
    sam = signature("sam", "verified")
    signed = await complete(api, batch["id"], "verify_weigh", signature=sam)
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body

    assert signed.status == 200, signed.body
    [verify] = [s for s in record["steps"] if s["step_id"] == "verify_weigh"]
    assert [(s["username"], s["meaning"]) for s in verify["signatures"]] == [("sam", "verified")]
