"""Draining the outbox: one entry at a time, oldest first, until the server has answered it.

No answer (network down, timeout, 5xx) → the same entry again after a growing pause, with
the same Idempotency-Key, so a request whose answer was lost is replayed, not repeated.
2xx → done. 4xx → conflict, kept with the problem and reported; the next entry follows.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from headset_client.api import StepwiseApi
from headset_client.exceptions import ServerRefused, ServerUnreachable, SignInFailed
from headset_client.outbox import PASSWORD_LOST, Entry, EntryState, Outbox

log = logging.getLogger(__name__)
Answered = Callable[[Entry, float], Awaitable[None]]
Reauthenticate = Callable[[], Awaitable[None]]


@dataclass
class Backoff:
    """Pauses between attempts: doubling from `first` up to `most`, with jitter."""

    first: float = 0.2
    most: float = 5.0
    _next: float = 0.0

    def pause(self) -> float:
        self._next = min(self.most, max(self.first, self._next * 2))
        return self._next * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self._next = 0.0


class Sender:
    """Sends the outbox in order in the background; `online` is what it last saw."""

    def __init__(
        self,
        outbox: Outbox,
        api: StepwiseApi,
        answered: Answered,
        reauthenticate: Reauthenticate,
        backoff: Backoff | None = None,
    ) -> None:
        self._outbox = outbox
        self._api = api
        self._answered = answered
        self._reauthenticate = reauthenticate
        self._backoff = backoff or Backoff()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self.online = True

    def wake(self) -> None:
        """Something was saved: send it now (or after the current pause)."""
        self._idle.clear()
        self._wake.set()

    async def drained(self) -> None:
        """Return once nothing is left to send."""
        while True:
            await self._idle.wait()
            if await self._outbox.next_pending() is None:
                return
            self._idle.clear()

    async def run(self) -> None:
        """Send forever; cancel the task to stop."""
        while True:
            self._wake.clear()
            entry = await self._outbox.next_pending()
            if entry is None:
                self._idle.set()
                await self._wake.wait()
                continue
            self._idle.clear()
            await self._send(entry)

    async def _send(self, entry: Entry) -> None:
        request = self._outbox.ready(entry)
        if request is None:
            await self._finish(entry, "conflict", 0, PASSWORD_LOST, None)
            return
        await self._outbox.attempted(entry.seq)
        started = time.perf_counter()
        try:
            answer = await self._api.send(request, entry.key)
        except ServerUnreachable as exc:
            self.online = False
            log.info("outbox #%d not sent (%s); retrying", entry.seq, exc)
            await self._pause()
            return
        except ServerRefused as exc:
            if exc.status == 401 and await self._signed_in_again():
                return
            self.online = True
            await self._finish(entry, "conflict", exc.status, exc.problem, started)
            return
        self.online = True
        self._backoff.reset()
        await self._finish(entry, "done", answer.status, answer.body, started)

    async def _finish(
        self, entry: Entry, state: EntryState, status: int, answer: object, started: float | None
    ) -> None:
        finished = await self._outbox.answered(entry.seq, state, status, answer)
        elapsed = 0.0 if started is None else time.perf_counter() - started
        await self._answered(finished, elapsed)

    async def _signed_in_again(self) -> bool:
        """After a 401 (token expired while offline): sign in again, then resend."""
        try:
            await self._reauthenticate()
        except (SignInFailed, ServerRefused):
            return False
        except ServerUnreachable:
            await self._pause()
        return True

    async def _pause(self) -> None:
        await asyncio.sleep(self._backoff.pause())
