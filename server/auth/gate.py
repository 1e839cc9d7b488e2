"""The sign-in gate: password checks (Argon2, deliberately slow) take turns on the CPU.

A shift of headsets signing in at once must not become a storm: each check costs tens of
milliseconds of CPU, a client that waits too long gives up and tries again, and every
abandoned check still running makes the next ones slower. So at most `concurrent` checks run
at a time, at most `waiting` more wait in line, and anyone beyond that is told at once to come
back (ServerBusy, a 503 with Retry-After) instead of joining a line it would time out in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from server.errors import ServerBusy


class SignInGate:
    """Admits password checks: `concurrent` at a time, `waiting` more in line."""

    def __init__(self, concurrent: int, waiting: int) -> None:
        self._turns = asyncio.Semaphore(concurrent)
        self._most_waiting = waiting
        self._waiting = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a turn (ServerBusy if the line is full), hold it for the block."""
        if self._waiting >= self._most_waiting:
            raise ServerBusy()
        self._waiting += 1
        try:
            await self._turns.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._turns.release()
