"""The seal signing key and the sealer as an application resource.

At start the key is loaded (created on first start) and whatever the trail holds is sealed;
while running, new entries are sealed every `seal_seconds`; at stop, once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from server.audit import anchors, seals
from server.audit.keys import SealKey, load_or_create_key
from server.concurrency import run_blocking
from server.db.engine import Database
from server.web.keys import DATABASE, SETTINGS

SEAL_KEY = web.AppKey("seal_key", SealKey)
log = logging.getLogger(__name__)


async def _try_sealing(database: Database, key: SealKey, anchor: Path) -> None:
    """Seal and keep the seal in `anchor`, or log why not: the next attempt seals it."""
    try:
        sealed = await seals.seal_now(database, key)
        if sealed is not None:
            await run_blocking(anchors.keep, anchor, sealed)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("sealing the audit trail failed (%s); the next attempt will seal it", exc)


async def _seal_periodically(database: Database, key: SealKey, anchor: Path, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        await _try_sealing(database, key, anchor)


async def audit_sealing(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context, after the database's: load the key, seal at start, while running
    and at stop."""
    settings, database = app[SETTINGS], app[DATABASE]
    key = await run_blocking(load_or_create_key, settings.effective_audit_key_file)
    app[SEAL_KEY] = key
    anchor = anchors.anchor_file(settings.effective_audit_key_file)
    await _try_sealing(database, key, anchor)
    every = settings.seal_seconds
    sealer = asyncio.create_task(_seal_periodically(database, key, anchor, every))
    yield
    sealer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sealer
    await _try_sealing(database, key, anchor)
