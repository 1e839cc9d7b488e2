"""Issue 20: migration 0017 fills batch_operators from the batches already recorded, so the
operator filter of an upgraded database gives what it gave before the table existed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select

from procedures.states import BatchStatus, StepStatus
from server.auth.models import User
from server.batches.models import Batch, StepRecord
from server.config import LOOPBACK, Settings
from server.db.engine import open_database
from server.db.migrate import alembic_config, upgrade
from server.ids import new_id
from server.library.models import ProcedureVersion
from tests.api.batch_operators import USERS, batches_worked_on
from tests.client import ApiClient

# Per batch: who started it, and who performed each of its three steps (None: not done).
WORK: list[tuple[str | None, tuple[str | None, ...]]] = [
    ("olivia", ("olivia", "olivia", None)),
    ("olivia", ("omar", "sam", "olivia")),
    ("omar", (None, None, None)),
    (None, (None, None, None)),
    ("omar", ("omar", "omar", "omar")),
    ("olivia", ("olivia", "sam", None)),
]


def _rows(version_id: str, users: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict]]:
    batches, steps = [], []
    start = datetime(2025, 3, 1, 8, tzinfo=UTC)
    for n, (starter, performers) in enumerate(WORK):
        batch_id, created = new_id(), start + timedelta(hours=n)
        batches.append(
            {
                "id": batch_id,
                "batch_number": f"OLD-{n}",
                "procedure_version_id": version_id,
                "status": BatchStatus.IN_PROGRESS if starter else BatchStatus.CREATED,
                "parameters": {},
                "created_by": users["sam"],
                "created_at": created,
                "started_at": created if starter else None,
                "started_by": users[starter] if starter else None,
            }
        )
        for position, performer in enumerate(performers):
            steps.append(
                {
                    "id": new_id(),
                    "batch_id": batch_id,
                    "step_id": f"s{position}",
                    "operation_id": "op",
                    "position": position,
                    "state": StepStatus.COMPLETED if performer else StepStatus.PENDING,
                    "completed_at": created if performer else None,
                    "completed_by": users[performer] if performer else None,
                }
            )
    return batches, steps


async def _recorded_before_0017(url: str) -> None:
    """Batches and step records written at revision 0016, then the upgrade."""
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0016")
    database = open_database(url)
    try:
        async with database.writer.begin() as connection:
            users = dict((await connection.execute(select(User.username, User.id))).all())
            version_id = await connection.scalar(select(ProcedureVersion.id).limit(1))
            batches, steps = _rows(version_id, users)
            await connection.execute(insert(Batch.__table__), batches)
            await connection.execute(insert(StepRecord.__table__), steps)
    finally:
        await database.dispose()
    await upgrade(url)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The seeded database of each backend, taken back to 0016, filled, and upgraded."""
    asyncio.run(_recorded_before_0017(database_url))
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, balance_networks=LOOPBACK
    )


async def test_the_operator_filter_of_an_upgraded_database_gives_what_it_gave_before(
    api: ApiClient, settings: Settings
) -> None:
    for username in USERS:
        rows = await api.get_all(f"/batches?operator={username}&limit=2", "sam")
        numbers = [row["batch_number"] for row in rows]
        assert len(numbers) == len(set(numbers))
        assert set(numbers) == await batches_worked_on(settings.effective_database_url, username)
    olivia = await api.get_all("/batches?operator=olivia", "sam")
    assert [row["batch_number"] for row in olivia] == ["OLD-5", "OLD-1", "OLD-0"]  # newest first
