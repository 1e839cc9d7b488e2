"""Who made a record: the batch names its creator and starter, a procedure version the
e-signature that approved it (21 CFR 11.50: printed name, date and time, meaning)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from alembic import command

from server.config import Settings
from server.db.migrate import alembic_config
from tests.api.fixtures import DATA, approved_procedure, started_batch
from tests.client import ApiClient


async def test_batch_names_who_created_and_who_started_it(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    created = await api.post(
        "/batches", "sam", {"procedure": "test-line", "batch_number": "PEOPLE-1", "parameters": {}}
    )
    assert created.status == 201, created.body
    assert created.body["created_by"]["username"] == "sam"
    assert created.body["created_by"]["full_name"] == "Sam Supervisor"
    assert created.body["started_by"] is None

    started = await api.post(f"/batches/{created.body['id']}/start", "olivia")
    assert started.status == 200, started.body
    record = (await api.get(f"/batches/{created.body['id']}", "quinn")).body
    assert record["created_by"]["username"] == "sam"
    assert record["started_by"]["username"] == "olivia"
    assert record["started_by"]["full_name"] == "Olivia Operator"


async def test_started_batch_from_the_fixture_names_its_starter(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    assert (batch["created_by"]["username"], batch["started_by"]["username"]) == ("sam", "olivia")


async def test_approved_version_shows_the_approving_signature(api: ApiClient) -> None:
    approved = await approved_procedure(api, "test_line.yaml")
    assert approved["approval"]["username"] == "quinn"
    assert approved["approval"]["full_name"] == "Quinn QA"
    assert approved["approval"]["meaning"] == "approved"

    shown = (await api.get("/procedures/test-line/versions/1", "olivia")).body
    assert shown["approval"] == approved["approval"]
    assert datetime.fromisoformat(shown["approval"]["signed_at"]).utcoffset() is not None


async def test_draft_has_no_approval(api: ApiClient) -> None:
    source = (DATA / "test_line.yaml").read_text()
    loaded = await api.post("/procedures", "alex", {"filename": "test_line.yaml", "source": source})
    assert loaded.status == 201, loaded.body
    assert loaded.body["approval"] is None
    shown = (await api.get("/procedures/test-line/versions/1", "alex")).body
    assert shown["approval"] is None


async def test_upgrade_takes_the_starter_of_earlier_batches_from_the_audit_trail(
    api: ApiClient, settings: Settings
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    url = settings.effective_database_url
    config = alembic_config(url)
    await asyncio.to_thread(command.downgrade, config, "0008")  # before batches had started_by
    await asyncio.to_thread(command.upgrade, config, "head")

    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    assert record["started_by"]["username"] == "olivia"
    assert record["created_by"]["username"] == "sam"
