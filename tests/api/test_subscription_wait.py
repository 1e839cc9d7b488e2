"""A background loop that waits for events with a timeout ends when it is cancelled, even
when an event comes at the moment of the cancellation (the sealer and the webhook sender
wait this way; an application's shutdown awaits them)."""

from __future__ import annotations

import asyncio

import pytest

from server.events.bus import Subscription


async def test_a_wait_cancelled_as_an_event_arrives_is_cancelled() -> None:
    for steps in range(4):  # the event's wake-up and the cancellation in every order
        subscription = Subscription(asyncio.Queue(4))
        task = asyncio.create_task(subscription.next(30))
        await asyncio.sleep(0)  # it waits on the queue
        subscription.queue.put_nowait({"type": "batch"})
        for _ in range(steps):
            await asyncio.sleep(0)
        if task.done():
            assert task.result() == {"type": "batch"}
            continue
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_wait_gives_the_next_event_or_none_after_its_time() -> None:
    subscription = Subscription(asyncio.Queue(4))
    assert await subscription.next(0.01) is None
    subscription.queue.put_nowait({"type": "step"})
    assert await subscription.next(5) == {"type": "step"}
