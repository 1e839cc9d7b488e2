"""Following a batch's events on the server's WebSocket, reconnecting when it drops.

After every (re)connection the session re-reads the batch, so nothing missed while
disconnected goes unseen.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from headset_client.api import StepwiseApi
from headset_client.sender import Backoff

log = logging.getLogger(__name__)
EventHandler = Callable[[dict[str, Any]], Awaitable[None]]
Reconnected = Callable[[], Awaitable[None]]


class EventFollower:
    """Receives the events of one topic (`batch:<id>`) and hands each to `on_event`."""

    def __init__(
        self,
        api: StepwiseApi,
        topic: str,
        on_event: EventHandler,
        on_connected: Reconnected,
        backoff: Backoff | None = None,
    ) -> None:
        self._api = api
        self._topic = topic
        self._on_event = on_event
        self._on_connected = on_connected
        self._backoff = backoff or Backoff()
        self.connected = False

    async def run(self) -> None:
        """Follow forever; cancel the task to stop."""
        while True:
            try:
                await self._follow()
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.info("event stream lost (%s); reconnecting", exc)
            finally:
                self.connected = False
            await asyncio.sleep(self._backoff.pause())

    async def _follow(self) -> None:
        async with self._api.websocket() as ws:
            await ws.send_json({"subscribe": self._topic})
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                event = json.loads(message.data)
                if event.get("type") == "subscribed":
                    self.connected = True
                    self._backoff.reset()
                    await self._on_connected()
                elif event.get("type") not in ("hello", "error"):
                    await self._on_event(event)
