"""The replay clock: `utcnow()` is its time in the task replaying, and only there."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from server.clock import ReplayClock, replaying, utcnow


async def test_a_replay_moves_only_its_own_task_and_only_forward_up_to_the_present() -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    clock = ReplayClock(start)
    seen: list[datetime] = []
    replayed = asyncio.Event()

    async def serving_meanwhile() -> None:  # a task of its own, as a request would be
        await replayed.wait()
        seen.append(utcnow())

    other = asyncio.create_task(serving_meanwhile())
    with replaying(clock):
        assert utcnow() == start
        assert clock.advance(timedelta(minutes=45)) == utcnow() == start + timedelta(minutes=45)
        with pytest.raises(ValueError, match="only moves forward"):
            clock.advance(timedelta(minutes=-1))
        with pytest.raises(ValueError, match="past the present"):
            clock.advance(timedelta(hours=3))
        replayed.set()
        await other
    assert seen[0] > start + timedelta(hours=1)  # the other task kept the wall clock
    assert utcnow() > start + timedelta(hours=1)  # and so does this one after the block
