"""Keep the event loop free: CPU or disk work runs in a worker thread."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import ParamSpec, TypeVar

from server.errors import ServerBusy

P = ParamSpec("P")
T = TypeVar("T")


async def run_blocking(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `func` in the default thread pool and await its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))


class BoundedLine:
    """Turns: `concurrent` at a time, at most `waiting` more in line, and anyone beyond is
    told at once to come back (ServerBusy, a 503 with Retry-After) instead of joining a line
    it would time out in."""

    def __init__(self, concurrent: int, waiting: int) -> None:
        self._turns = asyncio.Semaphore(concurrent)
        self._most_waiting = waiting
        self._waiting = 0

    async def enter(self) -> None:
        """Wait for a turn; ServerBusy if the line is full."""
        if self._waiting >= self._most_waiting:
            raise ServerBusy()
        self._waiting += 1
        try:
            await self._turns.acquire()
        finally:
            self._waiting -= 1

    def leave(self) -> None:
        """Give the turn back."""
        self._turns.release()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a turn and hold it for the block."""
        await self.enter()
        try:
            yield
        finally:
            self.leave()


class WorkerPool:
    """A few threads of their own for work whose memory grows with its input (decoding an
    uploaded image): at most `workers` jobs run at once, so N uploads at once cannot take the
    process's memory; at most `waiting` more wait in line, and anyone beyond is told at once to
    come back (ServerBusy). A turn is held until the job's thread is done, even when the
    request that asked for it has gone away."""

    def __init__(self, workers: int, waiting: int, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._line = BoundedLine(workers, waiting)

    async def run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `func` on one of the pool's threads when a turn is free, and await its result."""
        await self._line.enter()
        loop = asyncio.get_running_loop()
        try:
            job = self._executor.submit(func, *args, **kwargs)
        except BaseException:
            self._line.leave()
            raise

        def finished(_: Future[T]) -> None:
            loop.call_soon_threadsafe(self._line.leave)

        job.add_done_callback(finished)
        return await asyncio.wrap_future(job)

    async def close(self) -> None:
        """Wait for running jobs, drop queued ones. Safe to call twice."""
        await run_blocking(functools.partial(self._executor.shutdown, cancel_futures=True))
