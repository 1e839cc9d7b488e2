"""The webhook sender as an application resource.

It wakes when a batch event is committed (in this process or, through PostgreSQL, another)
and at least every few seconds for retries, and sends what is due: each batch's events in
order, signed. On PostgreSQL one process sends at a time: the one holding an advisory lock
on its own connection; when it dies, its connection and lock go with it and another takes
over. Delivery is at least once: a receiver de-duplicates by `webhook-id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from server.clock import utcnow
from server.config import Settings
from server.db.engine import Database
from server.events.bus import EventBus
from server.networks import Network, allowed_addresses
from server.web.keys import DATABASE, EVENTS, SETTINGS
from server.webhooks import outbox
from server.webhooks.signing import signed_headers

log = logging.getLogger(__name__)
TICK_SECONDS = 2.0  # retries fall due between events
SEND_TIMEOUT = aiohttp.ClientTimeout(total=10)
SENDER_LOCK = 0x5357_5748  # "SWWH": the advisory lock of the one sending process
LOCK = text("SELECT pg_try_advisory_lock(:key)")
ROUNDS_PER_WAKE = 20  # then wait for the next event or tick
# Events arriving together wake one round, not one each: under load a round (a transaction
# and two queries even with no subscription) per completed step cost more server and
# database CPU than the step itself.
GATHER_SECONDS = 0.05
SENDER_TASK = "stepwise.webhook-sender"  # the task's name: its queries are no request's


class FencedResolver(AbstractResolver):
    """Resolves only to addresses inside the allowed networks, at every connection, so a
    name that later resolves elsewhere (DNS rebinding) is refused too."""

    def __init__(self, networks: tuple[Network, ...]) -> None:
        self._networks = networks

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await allowed_addresses(host, port, self._networks)
        if not found:
            raise OSError(f"{host} is not on a network webhooks may be sent to")
        return [
            ResolveResult(
                hostname=host, host=ip, port=port, proto=0, flags=socket.AI_NUMERICHOST,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
            )
            for ip in found
        ]  # fmt: skip

    async def close(self) -> None:
        return None


class Sender:
    """Sends due deliveries and records each attempt."""

    def __init__(self, database: Database, settings: Settings, http: aiohttp.ClientSession):
        self._database = database
        self._http = http
        self._retry_base = timedelta(seconds=settings.webhook_retry_seconds)
        self._retry_window = timedelta(hours=settings.webhook_retry_hours)

    async def _post(self, target: outbox.Target, message: outbox.Message) -> outbox.Outcome:
        headers = {
            "content-type": "application/json",
            **signed_headers(target.secret, message.message_id, utcnow(), message.body),
        }
        try:
            async with self._http.post(target.url, data=message.body, headers=headers) as answer:
                return outbox.Outcome(answer.status, None if answer.ok else answer.reason)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return outbox.Outcome(None, f"{type(exc).__name__}: {exc}")

    async def _record(self, target: outbox.Target, message: outbox.Message,
                      outcome: outbox.Outcome, *, by_hand: bool = False) -> None:  # fmt: skip
        async with self._database.sessions()() as session, session.begin():
            await outbox.record(
                session, target, message, outcome, utcnow(),
                retry_base=self._retry_base, retry_window=self._retry_window, by_hand=by_hand,
            )  # fmt: skip

    async def _lane(self, lane: outbox.Lane) -> None:
        skipped = None
        for message in lane.messages:
            if not lane.target.wants(message.event_type):
                skipped = message.seq
                continue
            if skipped is not None:
                async with self._database.sessions()() as session, session.begin():
                    await outbox.skip(session, lane.target, lane.batch_id, skipped)
                skipped = None
            outcome = await self._post(lane.target, message)
            await self._record(lane.target, message, outcome)
            if not outcome.delivered:
                return  # later events of this batch wait for this one
        if skipped is not None:
            async with self._database.sessions()() as session, session.begin():
                await outbox.skip(session, lane.target, lane.batch_id, skipped)

    async def send_due(self) -> int:
        """One round: re-sends asked for by hand, then every due lane. Returns lanes sent."""
        async with self._database.sessions(readonly=True)() as session, session.begin():
            again = await outbox.resends(session)
            lanes = await outbox.due_lanes(session, utcnow())
        for target, message in again:
            await self._record(target, message, await self._post(target, message), by_hand=True)
        await asyncio.gather(*(self._lane(lane) for lane in lanes))
        return len(lanes)


class SenderLock:
    """Whether this process is the one that sends (always, on SQLite: one process)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._connection: AsyncConnection | None = None
        self._held = not database.is_postgres

    async def held(self) -> bool:
        if self._held:
            return True
        try:
            if self._connection is None:
                self._connection = await self._database.writer.connect()
            got = await self._connection.scalar(LOCK, {"key": SENDER_LOCK})
            await self._connection.commit()  # the lock is the session's, not the transaction's
            self._held = bool(got)
        except (SQLAlchemyError, OSError):
            await self.release()
            raise
        return self._held

    async def release(self) -> None:
        """Drop the connection (and with it the lock)."""
        connection, self._connection = self._connection, None
        self._held = not self._database.is_postgres
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError, OSError):
                await connection.close()


async def _send_while_running(sender: Sender, lock: SenderLock, events: EventBus) -> None:
    with events.subscribe() as subscription:
        subscription.topics.add("batches")
        while True:
            try:
                rounds = ROUNDS_PER_WAKE
                while rounds and await lock.held() and await sender.send_due():
                    rounds -= 1
            except (SQLAlchemyError, OSError) as exc:
                log.warning("sending webhooks failed (%s); trying again shortly", exc)
                await lock.release()
            if await subscription.next(TICK_SECONDS) is not None:
                await asyncio.sleep(GATHER_SECONDS)
            while not subscription.queue.empty():
                subscription.queue.get_nowait()
            subscription.lagging = False


async def webhook_sending(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context, after the database's and the events': the sender runs meanwhile."""
    settings: Settings = app[SETTINGS]
    connector = aiohttp.TCPConnector(resolver=FencedResolver(settings.allowed_webhook_networks))
    async with aiohttp.ClientSession(connector=connector, timeout=SEND_TIMEOUT) as http:
        sender = Sender(app[DATABASE], settings, http)
        lock = SenderLock(app[DATABASE])
        task = asyncio.create_task(_send_while_running(sender, lock, app[EVENTS]), name=SENDER_TASK)
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await lock.release()
