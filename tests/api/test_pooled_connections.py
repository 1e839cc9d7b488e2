"""Pooled PostgreSQL connections: one the server closed is replaced when next taken from the
pool (not used and failed), and who asks is read without a transaction around the read."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text

from server.db import engine as engine_module
from server.db.engine import Database, open_database
from server.web.keys import DATABASE
from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient
from tests.conftest import _admin_dsn

# SQLite has no server to close or lose a connection, and reads without a round trip.
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


async def _terminated(pids: set[int]) -> None:
    admin = await asyncpg.connect(_admin_dsn())
    try:
        await admin.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", pids)
    finally:
        await admin.close()


async def _closed_by_the_server(database: Database) -> int:
    """Take a connection from `database`'s pool, give it back, have PostgreSQL close it and
    wait until asyncpg has seen that (as it does for an idle connection); its backend's pid."""
    async with database.writer.connect() as connection:
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        raw = await connection.get_raw_connection()
        closed = asyncio.get_running_loop().create_future()
        raw.driver_connection.add_termination_listener(lambda _c: closed.set_result(None))
    await _terminated({pid})
    await closed
    return pid


async def test_a_connection_the_server_closed_is_replaced_at_checkout(database_url: str) -> None:
    database = open_database(database_url)
    try:
        pid = await _closed_by_the_server(database)
        async with database.writer.connect() as connection:
            again = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert again != pid
    finally:
        await database.dispose()


async def test_requests_go_on_after_the_server_closed_a_pooled_connection(api: ApiClient) -> None:
    database = api.client.app[DATABASE]
    await approved_procedure(api, "test_line.yaml")
    await database.writer.dispose()  # the pool now holds only the connection taken below
    await _closed_by_the_server(database)
    batch = await started_batch(api)  # signs in, creates and starts: every read and write
    assert batch["status"] == "in_progress"


async def test_who_asks_is_read_outside_a_transaction(database_url: str) -> None:
    database = open_database(database_url)
    try:
        async with database.lone_reads() as session:
            read = text("SELECT pg_current_xact_id()::text")
            first, second = await session.scalar(read), await session.scalar(read)
        assert first != second  # each statement its own transaction: no BEGIN, no ROLLBACK
    finally:
        await database.dispose()


async def test_a_long_idle_connection_that_fails_its_ping_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)  # every checkin is long ago
    database = open_database(database_url)
    dialect = database.writer.dialect
    pinged: list[object] = []

    def dead(dbapi_connection: object) -> bool:  # as a connection a firewall dropped answers
        pinged.append(dbapi_connection)
        raise dialect.loaded_dbapi.InterfaceError("connection is closed")

    try:
        async with database.writer.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        monkeypatch.setattr(dialect, "do_ping", dead)
        async with database.writer.connect() as connection:
            again = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert len(pinged) == 1  # the idle one was pinged; its fresh replacement was not
        assert again != pid
    finally:
        await database.dispose()
