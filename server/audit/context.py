"""The seal signing key and the sealer as an application resource.

At start the key is loaded (created on first start) and whatever moved is sealed; while
running, the chains that moved are sealed every `seal_seconds`, and as soon as a batch is
completed, released or rejected (its committed status event is the request, so the batch
path needs no hook of its own and a decision made in any process is sealed); at stop, once
more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from server.audit import anchors, seals
from server.audit.keys import SealKey, load_or_create_key
from server.concurrency import run_blocking
from server.db.engine import Database
from server.events.bus import EventBus
from server.web.keys import DATABASE, EVENTS, SETTINGS

SEAL_KEY = web.AppKey("seal_key", SealKey)
log = logging.getLogger(__name__)
# A batch whose record is complete or decided is sealed at once, not at the next tick.
SEALING_STATUSES = frozenset({"completed", "released", "rejected"})


async def _try_sealing(database: Database, key: SealKey, anchor: Path) -> None:
    """Seal and keep the seal in `anchor`, or log why not: the next attempt seals it."""
    try:
        sealed = await seals.seal_now(database, key)
        if sealed is not None:
            await run_blocking(anchors.keep, anchor, sealed)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("sealing the audit trail failed (%s); the next attempt will seal it", exc)


def _requests_seal(event: dict[str, Any]) -> bool:
    return event.get("type") == "batch" and event.get("status") in SEALING_STATUSES


async def _seal_while_running(
    database: Database, key: SealKey, anchor: Path, every: float, events: EventBus
) -> None:
    """Seal every `every` seconds, and when a batch is completed or decided."""
    loop = asyncio.get_running_loop()
    with events.subscribe() as subscription:
        subscription.topics.add("batches")
        due = loop.time() + every
        while True:
            event = await subscription.next(due - loop.time())
            if subscription.lagging:  # events were dropped: one of them may have asked
                subscription.lagging, event = False, {"type": "batch", "status": "completed"}
            if event is None or _requests_seal(event):
                await _try_sealing(database, key, anchor)
                due = loop.time() + every


async def audit_sealing(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context, after the database's and the events': load the key, seal at start,
    while running and at stop."""
    settings, database = app[SETTINGS], app[DATABASE]
    key = await run_blocking(load_or_create_key, settings.effective_audit_key_file)
    app[SEAL_KEY] = key
    anchor = anchors.anchor_file(settings.effective_audit_key_file)
    await _try_sealing(database, key, anchor)
    every = settings.seal_seconds
    sealer = asyncio.create_task(_seal_while_running(database, key, anchor, every, app[EVENTS]))
    yield
    sealer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sealer
    await _try_sealing(database, key, anchor)
