"""`serve --demo` history: four completed batches chained through released output lots,
replayed on a clock in the past with their holds honoured, through the real services, and an
audit trail that verifies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.client import ApiClient


async def _seed_history(database_url: str, settings: Any) -> None:
    from server.clock import ReplayClock, replaying, utcnow
    from server.db.engine import open_database
    from server.demo import APPROVER, DEMO_USERS
    from server.demo_genealogy import Crew, seed_genealogy

    passwords = {demo.username: demo.password for demo in DEMO_USERS}
    crew = Crew("sam", "olivia", "omar", APPROVER, passwords.__getitem__)
    database = open_database(database_url)
    try:
        with replaying(ReplayClock(utcnow() - timedelta(days=1))) as clock:
            await seed_genealogy(database, settings, crew, clock)
            await seed_genealogy(database, settings, crew, clock)  # a second start adds nothing
    finally:
        await database.dispose()


@pytest.fixture
async def history(api: ApiClient, database_url: str, settings: Any) -> ApiClient:
    await _seed_history(database_url, settings)
    return api


async def test_the_demo_recall_of_cellulose_reaches_four_completed_batches(
    history: ApiClient,
) -> None:
    api = history
    recall = (await api.get("/trace/lots/MCC-2611-01/recall", "quinn")).body
    reached = [(item["batch_number"], item["level"]) for item in recall["affected"]]
    assert reached == [
        ("STW101-D-0901", 1),
        ("STW101-G-0901", 2),
        ("STW101-C-0901", 3),
        ("STW101-F-0901", 4),
    ]
    assert {item["status"] for item in recall["affected"]} == {"completed"}
    made = [(lot["material"]["code"], lot["status"]) for lot in recall["lots"]]
    assert [material for material, _ in made] == ["STW-101-FB", "STW-101-CT", "STW-101-FC"]
    assert {status for _, status in made} == {"released"}
    assert (await api.get("/lots/FB-0001-D1", "quinn")).status == 404  # no fake supplier blend
    listed = (await api.get("/batches", "quinn")).body
    assert sorted(batch["batch_number"] for batch in listed) == [
        "STW101-C-0901",
        "STW101-D-0901",
        "STW101-F-0901",
        "STW101-G-0901",
    ]
    assert (await api.get("/audit/verify", "quinn")).body["ok"] is True


async def test_the_demo_history_honours_its_holds_and_leaves_the_equipment_clean(
    history: ApiClient,
) -> None:
    from datetime import UTC, datetime

    api = history
    batches = {b["batch_number"]: b["id"] for b in (await api.get("/batches", "quinn")).body}

    async def completed(batch_number: str) -> dict[str, datetime]:
        record = (await api.get(f"/batches/{batches[batch_number]}", "quinn")).body
        return {
            step["step_id"]: datetime.fromisoformat(step["completed_at"])
            for step in record["steps"]
            if step["completed_at"]
        }

    granulation, coating = await completed("STW101-G-0901"), await completed("STW101-F-0901")
    blend = granulation["final_blend_time"] - granulation["start_final_blend"]
    assert timedelta(minutes=3) <= blend <= timedelta(minutes=5)
    stirring = coating["suspension_stirring"] - coating["prepare_suspension"]
    assert stirring >= timedelta(minutes=45)
    assert max(coating.values()) < datetime.now(UTC) - timedelta(hours=6)  # replayed, past
    equipment = (await api.get("/equipment", "olivia")).body
    assert {item["code"]: item["status"] for item in equipment} == {
        item["code"]: "clean" for item in equipment
    }
