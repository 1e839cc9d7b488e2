"""The audit trail: complete, chained, append-only, and tamper-evident."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.config import Settings
from server.db.engine import open_database
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient


async def _execute(settings: Settings, *statements: str) -> None:
    database = open_database(settings.effective_database_url)
    try:
        async with database.writer.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await database.dispose()


async def test_entries_record_who_what_when_old_new_and_why(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    entries = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert [e["action"] for e in entries] == ["batch.created", "batch.started", "step.completed"]
    completed = entries[-1]
    assert completed["actor"] == "olivia (Olivia Operator)"
    assert completed["old"] == {"state": "active"}
    assert completed["new"]["values"] == {"area_clean": True}
    assert completed["at"].endswith("Z")
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    verify = (await api.get("/audit/verify", "quinn")).body
    assert verify["ok"] is True and verify["entries"] >= 3


async def test_database_refuses_to_change_or_delete_audit_entries(
    api: ApiClient, settings: Settings
) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        await _execute(settings, "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(DBAPIError, match="append-only"):
        await _execute(settings, "DELETE FROM audit_entries WHERE seq = 1")
    assert (await api.get("/audit/verify", "quinn")).body["ok"] is True


async def test_edit_behind_the_servers_back_breaks_verification(
    api: ApiClient, settings: Settings
) -> None:
    before = (await api.get("/audit/verify", "quinn")).body
    assert before["ok"] is True
    if settings.effective_database_url.startswith("postgresql"):
        bypass = ["ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"]
    else:
        bypass = ["DROP TRIGGER audit_entries_no_update"]
    await _execute(settings, *bypass, "UPDATE audit_entries SET reason = 'tampered' WHERE seq = 3")
    after = (await api.get("/audit/verify", "quinn")).body
    assert (after["ok"], after["entries"], after["first_broken"]) == (False, before["entries"], 3)
