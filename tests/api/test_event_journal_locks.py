"""Numbering a batch's events never waits on the batch row: a step's completion holds that
row FOR UPDATE while it waits for the batch's event counter, so a writer holding the counter
(a stream starting, a chat message) must not then wait for the row (a deadlock PostgreSQL
reported in CI before the journal's foreign keys to batches were dropped)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from server.clock import isoformat, utcnow
from server.config import Settings
from server.db.engine import open_database
from server.events import journal
from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient


# SQLite serialises every writer: there is no row lock to order.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_events_are_numbered_while_another_writer_holds_the_batch_row(
    api: ApiClient, settings: Settings
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch_id = (await started_batch(api))["id"]
    database = open_database(settings.effective_database_url)
    event = {"type": "chat", "batch_id": batch_id, "at": isoformat(utcnow())}
    try:
        async with database.writer.begin() as holder:
            await holder.execute(
                text("SELECT id FROM batches WHERE id = :id FOR UPDATE"), {"id": batch_id}
            )
            async with database.sessions()() as session, session.begin():
                numbered = await asyncio.wait_for(journal.number(session, [event]), timeout=10)
    finally:
        await database.dispose()

    assert numbered[0]["seq"] >= 1
