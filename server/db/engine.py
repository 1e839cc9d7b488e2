"""Engines and session factories for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


@dataclass(frozen=True)
class Database:
    """The engines of one database: writes and reads may go through different pools.

    SQLite has one writer at a time; write transactions start with `BEGIN IMMEDIATE` so
    that two writers queue on the lock instead of failing mid-transaction, while reads use
    plain deferred transactions that run beside a writer (WAL). PostgreSQL uses one engine.
    """

    url: str
    writer: AsyncEngine
    reader: AsyncEngine

    @property
    def is_postgres(self) -> bool:
        return self.writer.dialect.name == "postgresql"

    @cached_property
    def _write_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.writer, expire_on_commit=False)

    @cached_property
    def _read_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.reader, expire_on_commit=False)

    def sessions(self, *, readonly: bool = False) -> async_sessionmaker[AsyncSession]:
        """The session factory bound to the reader or the writer engine."""
        return self._read_sessions if readonly else self._write_sessions

    @cached_property
    def lone_reads(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for reads that need no transaction around them, such as one statement
        (PostgreSQL: autocommit, so no BEGIN and ROLLBACK round trips around the read)."""
        if not self.is_postgres:
            return self._read_sessions
        reader = self.reader.execution_options(isolation_level="AUTOCOMMIT")
        return async_sessionmaker(reader, expire_on_commit=False)

    async def dispose(self) -> None:
        """Close every pooled connection; safe to call twice."""
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


def _sqlite_engine(url: str, *, begin: str, **pool: Any) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30}, **pool)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged step survives power loss, not only a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


# A pooled PostgreSQL connection idle longer than this is pinged before use (a firewall may
# have dropped it without a word); a busier one only has its socket checked.
IDLE_PING_SECONDS = 30.0


def _checked_on_checkout(engine: AsyncEngine) -> None:
    """Hand out only live connections, at the cost of a round trip only after a long idle.

    asyncpg sees a connection the server closed (restart, terminated backend) as it happens,
    so checking its socket state is free; SQLAlchemy's `pool_pre_ping` would instead ask the
    server on every checkout, and with asyncpg it begins and rolls back a transaction around
    the ping: three round trips per request, about a third of a step completion's CPU.
    A dead connection raises DisconnectionError, and the pool replaces it.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.driver_connection.is_closed():
            raise DisconnectionError("the server closed the connection")
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except (engine.dialect.loaded_dbapi.Error, OSError) as exc:
            raise DisconnectionError("the connection did not answer a ping") from exc


def open_database(url: str, wait_seconds: float = 30.0) -> Database:
    """Create the engines for `url` (nothing connects until first use); a request waits up
    to `wait_seconds` for a free connection (then SQLAlchemy's TimeoutError: overload)."""
    if make_url(url).get_backend_name() == "sqlite":
        return Database(
            url=url,
            # One writer connection: writers wait for it in the pool's queue, in turn, instead
            # of in SQLite's busy handler, which sleeps up to 100 ms between polls of the lock.
            writer=_sqlite_engine(
                url,
                begin="BEGIN IMMEDIATE",
                pool_size=1,
                max_overflow=0,
                pool_timeout=wait_seconds,
            ),
            reader=_sqlite_engine(url, begin="BEGIN", pool_timeout=wait_seconds),
        )
    engine = create_async_engine(url, pool_size=20, max_overflow=20, pool_timeout=wait_seconds)
    _checked_on_checkout(engine)
    return Database(url=url, writer=engine, reader=engine)
