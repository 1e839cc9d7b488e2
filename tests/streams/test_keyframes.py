"""Keyframe requests are rate-limited, and a request that comes too soon is deferred, not lost."""

from __future__ import annotations

import asyncio

from media.streams.relay import KeyframeRequests, Relay


async def test_a_request_too_soon_after_the_last_is_sent_once_the_interval_has_passed() -> None:
    requests = KeyframeRequests(min_interval=0.05)
    sent: list[int] = []
    requests.send = lambda: sent.append(1)

    assert requests.request() is True
    assert requests.request() is False
    assert requests.request() is False
    assert sent == [1]
    await asyncio.sleep(0.2)

    assert sent == [1, 1]
    assert (requests.sent, requests.suppressed) == (2, 2)


async def test_an_ended_relay_sends_no_deferred_request() -> None:
    relay = Relay("video", keyframes=KeyframeRequests(min_interval=0.05))
    sent: list[int] = []
    relay.keyframes.send = lambda: sent.append(1)
    relay.add_viewer()
    relay.add_viewer()

    relay.end()
    await asyncio.sleep(0.2)

    assert sent == [1]


def test_without_an_event_loop_a_request_too_soon_is_only_counted() -> None:
    now = [0.0]
    requests = KeyframeRequests(min_interval=1.0, clock=lambda: now[0])
    sent: list[int] = []
    requests.send = lambda: sent.append(1)

    requests.request()
    requests.request()
    now[0] = 1.5
    requests.request()

    assert sent == [1, 1]
    assert requests.suppressed == 1
