"""The seal signing key and the sealer as an application resource.

At start the key is loaded (created on first start) and whatever the trail holds is sealed;
while running, new entries are sealed every `seal_seconds`; at stop, once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from server.audit import seals
from server.audit.keys import SealKey, load_or_create_key
from server.concurrency import run_blocking
from server.db.engine import Database
from server.web.keys import DATABASE, SETTINGS

SEAL_KEY = web.AppKey("seal_key", SealKey)
log = logging.getLogger(__name__)


async def _try_sealing(database: Database, key: SealKey) -> None:
    """Seal, or log why not: the next attempt (or the next start) seals what is left."""
    try:
        await seals.seal_now(database, key)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("sealing the audit trail failed (%s); the next attempt will seal it", exc)


async def _seal_periodically(database: Database, key: SealKey, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        await _try_sealing(database, key)


async def audit_sealing(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context, after the database's: load the key, seal at start, while running
    and at stop."""
    settings, database = app[SETTINGS], app[DATABASE]
    key = await run_blocking(load_or_create_key, settings.effective_audit_key_file)
    app[SEAL_KEY] = key
    await seals.seal_now(database, key)
    sealer = asyncio.create_task(_seal_periodically(database, key, settings.seal_seconds))
    yield
    sealer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sealer
    await _try_sealing(database, key)
