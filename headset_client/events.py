"""Following a batch's events on the server's WebSocket, reconnecting when it drops.

A reconnection resumes where the stream left off: the follower keeps the batch's `seq` of
the last event it received and subscribes with `{"after": seq}`, so the server first sends
what was missed, in order; it does the same when the server says it lags. After every
(re)connection the session also re-reads the batch.
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
        # The batch's seq of the last event handed on (or the one the stream starts after);
        # None until the first.
        self.last_seq: int | None = None
        self._moved = asyncio.Event()  # set whenever last_seq moves

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

    def _subscription(self) -> dict[str, Any]:
        if self.last_seq is None:
            return {"subscribe": self._topic}
        return {"subscribe": self._topic, "after": self.last_seq}

    async def _follow(self) -> None:
        async with self._api.websocket() as ws:
            await ws.send_json(self._subscription())
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                event = json.loads(message.data)
                kind = event.get("type")
                if kind == "subscribed":
                    self._starts_after(event.get("head"))
                    self.connected = True
                    self._backoff.reset()
                    await self._on_connected()
                elif kind == "lagging":
                    log.info("event stream lagging; resuming after %s", self.last_seq)
                    await ws.send_json(self._subscription())
                elif kind not in ("hello", "error", "unsubscribed"):
                    await self._handle(event)

    async def reaches(self, seq: int) -> None:
        """Return once the events up to `seq` have been handed on."""
        while self.last_seq is None or self.last_seq < seq:
            self._moved.clear()
            await self._moved.wait()

    def _starts_after(self, head: Any) -> None:
        """A first subscription starts after the batch's newest event: nothing before it
        will come."""
        if self.last_seq is None and isinstance(head, int):
            self.last_seq = head
            self._moved.set()

    async def _handle(self, event: dict[str, Any]) -> None:
        seq = event.get("seq")
        if isinstance(seq, int):
            if self.last_seq is not None and seq <= self.last_seq:
                return  # already handled
            self.last_seq = seq
        await self._on_event(event)
        self._moved.set()
