"""A served application takes its start-up heap out of later full collections."""

from __future__ import annotations

import gc

from aiohttp.test_utils import TestServer

from server.cli.serve import serving_app
from server.config import Settings


async def test_a_served_application_freezes_what_start_up_built(settings: Settings) -> None:
    gc.unfreeze()
    server = TestServer(serving_app(settings, migrate=False))
    await server.start_server()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 100_000  # the modules, statements and application start-up built
        garbage = [[] for _ in range(1000)]
        for item in garbage:
            item.append(item)  # cycles made after start-up: still collected
        del garbage, item
        assert gc.collect() >= 1000
        assert gc.get_freeze_count() == frozen
    finally:
        await server.close()
        gc.unfreeze()  # the test process's later tests collect it all again
