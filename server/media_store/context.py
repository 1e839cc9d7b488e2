"""The image workers as a resource: uploaded images are decoded on a few threads of their own.

The pool bounds this process's memory, so it is per process by nature; the files it checks go
to the shared media folder, named by their content, so any process serves what another stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from server.concurrency import WorkerPool
from server.web.keys import SETTINGS

IMAGE_WORKERS = web.AppKey("image_workers", WorkerPool)
# Decodes waiting for a worker, per worker, before more are told to come back (503).
WAITING_PER_WORKER = 8


async def image_workers(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the pool that checks and decodes uploaded photos and scans."""
    workers = app[SETTINGS].image_workers
    app[IMAGE_WORKERS] = pool = WorkerPool(workers, WAITING_PER_WORKER * workers, "image")
    yield
    await pool.close()
