"""A real HTTP receiver of webhooks for the tests: it keeps what arrives, checks nothing,
and answers with the statuses it is told to (then 204)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: str

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)["data"]


@dataclass
class Receiver:
    """Records every POST; `answers` are the statuses of the next requests (then 204)."""

    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    runner: web.AppRunner | None = None
    url: str = ""

    async def _hook(self, request: web.Request) -> web.Response:
        self.received.append(Received(dict(request.headers), await request.text()))
        return web.Response(status=self.answers.pop(0) if self.answers else 204)

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        bound = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{bound}/hook"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every delivery's event, its signature checked, each `webhook-id` once, in arrival
        order of first receipt."""
        seen: dict[str, dict[str, Any]] = {}
        for item in self.received:
            headers = {k.lower(): v for k, v in item.headers.items()}
            Webhook(secret).verify(item.body, headers)
            seen.setdefault(headers["webhook-id"], item.event)
        return list(seen.values())

    async def wait_for(self, count: int, secret: str, seconds: float = 30.0) -> list[dict]:
        """The first `count` distinct verified events, waiting for them to arrive."""
        for _ in range(int(seconds * 10)):
            events = self.verified(secret)
            if len(events) >= count:
                return events
            await asyncio.sleep(0.1)
        raise AssertionError(f"{len(self.verified(secret))} of {count} events arrived")

    async def wait_for_copies(self, message_id: str, copies: int, seconds: float = 30.0) -> None:
        """Until `message_id` has arrived `copies` times."""
        for _ in range(int(seconds * 10)):
            ids = [item.headers["webhook-id"] for item in self.received]
            if ids.count(message_id) >= copies:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{message_id} did not arrive {copies} times")
