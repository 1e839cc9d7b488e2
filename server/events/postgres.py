"""Events across server processes through PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from server.events.bus import EventBus

log = logging.getLogger(__name__)
CHANNEL = "stepwise_events"
RECONNECT_SECONDS = 1.0


# One round trip for all of a transaction's events; the function scan keeps array order.
_NOTIFY_ALL = text(
    "SELECT pg_notify(:channel, payload) FROM unnest(CAST(:payloads AS text[])) AS payload"
)


async def notify(session: AsyncSession, events: list[dict[str, Any]]) -> None:
    """Queue NOTIFYs in the current transaction; PostgreSQL sends them at commit."""
    payloads = [json.dumps(event, separators=(",", ":")) for event in events]
    await session.execute(_NOTIFY_ALL, {"channel": CHANNEL, "payloads": payloads})


def asyncpg_dsn(url: str) -> str:
    """The plain libpq DSN of a SQLAlchemy asyncpg URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def listening(bus: EventBus, url: str) -> AsyncIterator[None]:
    """Listen for events of every process and deliver them to `bus` until the block ends."""
    ready = asyncio.Event()
    task = asyncio.create_task(_listen_forever(bus, asyncpg_dsn(url), ready))
    await asyncio.wait_for(ready.wait(), timeout=30)
    bus.transport, bus.channel = notify, CHANNEL
    try:
        yield
    finally:
        bus.transport, bus.channel = None, None
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _listen_forever(bus: EventBus, dsn: str, ready: asyncio.Event) -> None:
    def on_notification(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        bus.deliver(json.loads(payload))

    while True:
        try:
            connection = await asyncpg.connect(dsn)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("event listener cannot connect (%s); retrying", exc)
            await asyncio.sleep(RECONNECT_SECONDS)
            continue
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _conn, lost=lost: lost.set())
        try:
            await connection.add_listener(CHANNEL, on_notification)
            ready.set()
            await lost.wait()
            log.warning("event listener connection lost; reconnecting")
        finally:
            await connection.close()
