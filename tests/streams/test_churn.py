"""Viewers coming and going, and a publisher that vanishes: the stream and the others cope."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from aiortc import RTCPeerConnection

from server.config import Settings
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.events import next_event, subscribed
from tests.streams.sessions import Watching, delete, publish, watch

# Peers and tasks are the point here, not the database: one backend is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
IDLE_SECONDS = 1.5


@pytest.fixture
def settings(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Settings:
    """The settings, with `stream_idle_seconds` from an indirect parameter when given."""
    idle = getattr(request, "param", Settings.stream_idle_seconds)
    return Settings(data_dir=tmp_path / "data", database_url=database_url, stream_idle_seconds=idle)


def _gone(pc: RTCPeerConnection) -> asyncio.Future[None]:
    """Resolves when the peer connection has failed or closed."""
    gone = asyncio.get_running_loop().create_future()

    @pc.on("connectionstatechange")
    def _changed() -> None:
        if pc.connectionState in ("failed", "closed") and not gone.done():
            gone.set_result(None)

    return gone


# Not the peers' tasks: the test server's idle keep-alive HTTP connections, and the audit
# sealer's wait for the next event (a new task with every event, viewer counts included).
_NOT_PEERS = {"RequestHandler.start", "Queue.get"}


def _tasks() -> set[asyncio.Task[Any]]:
    """The running tasks, less those that are not the peers'."""
    return {
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") not in _NOT_PEERS
    }


def _vanish(pc: RTCPeerConnection) -> None:
    """As when a device loses power: its sockets close, and not one more packet (no RTCP
    BYE, no DTLS close) reaches the server."""
    for transceiver in pc.getTransceivers():
        for protocol in transceiver.sender.transport.transport._connection._protocols:
            protocol.transport.close()


async def _churn(api: ApiClient, live: LiveStreams, stream_id: str, rng: random.Random) -> None:
    """20 viewers join at once, each decodes a frame, then they leave in random order: half
    by DELETE, half by just closing their connection."""
    churners: list[Watching] = list(
        await asyncio.gather(*(watch(api, stream_id, "sam") for _ in range(20)))
    )
    await asyncio.gather(*(c.watcher.wait_for_frames(1) for c in churners))
    rng.shuffle(churners)
    sessions = live.get(StreamId.parse(stream_id)).viewers
    for index, churner in enumerate(churners):
        server_side = sessions[churner.location.rsplit("/", 1)[1]]
        if index % 2:
            assert await delete(api, churner.location, "sam") == 200
            await churner.watcher.close()
        else:
            closed = _gone(server_side.pc)
            await churner.watcher.close()
            await closed
    await live.settle()


async def test_viewers_coming_and_going_do_not_disturb_the_one_that_stays(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    staying = await watch(api, batch["id"])
    try:
        await staying.watcher.wait_for_frames(5)
        tasks_before = _tasks()
        rng = random.Random(20)
        for _ in range(2):
            await _churn(api, live, batch["id"], rng)
            await staying.watcher.wait_for_frames(15)
        stream = live.get(StreamId.parse(batch["id"]))
        assert list(stream.viewers) == [staying.location.rsplit("/", 1)[1]]
        assert stream.relay.viewer_count == 1
        assert _tasks() <= tasks_before  # no peer, sender, reader or relay task left over
        assert (await api.get("/streams", "quinn")).body[0]["viewers"] == 1
    finally:
        await staying.watcher.close()
        await publisher.close()


# A publisher that sends nothing for 1.5 s is gone (the server's default is 10 s).
@pytest.mark.parametrize("settings", [IDLE_SECONDS], indirect=True)
async def test_a_publisher_that_vanishes_is_ended_and_its_viewers_released(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    viewer = await watch(api, batch["id"])
    try:
        await viewer.watcher.wait_for_frames(3)
        stream = live.get(StreamId.parse(batch["id"]))
        released = _gone(viewer.watcher.pc)
        ended = _gone(stream.peer.pc)
        _vanish(publisher.pc)
        async with asyncio.timeout(IDLE_SECONDS + 5):
            await ended
            await released
        await live.settle()
        assert (await api.get("/streams", "quinn")).body == []
        assert stream.viewers == {} and stream.relay.viewer_count == 0
    finally:
        await viewer.watcher.close()
        await publisher.close()
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert [e["reason"] for e in trail if e["action"] == "stream.ended"] == [
        "no media from the publisher for 1.5 s"
    ]


async def test_the_viewer_count_is_announced_as_viewers_come_and_go(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    """(A viewer that vanishes is counted out once its ICE consent expires: the browser test
    tests/browser/test_console_viewers.py kills one.)"""
    publisher = await publish(api, batch["id"])
    viewers = []
    try:
        async with subscribed(api, batch["id"], "quinn") as events:
            for count in (1, 2):
                viewers.append(await watch(api, batch["id"]))
                announced = await next_event(events, "viewers", viewers=count)
                assert announced["stream_id"] == batch["id"]
            for count, viewer in zip((1, 0), viewers, strict=True):
                assert await delete(api, viewer.location, "quinn") == 200
                await next_event(events, "viewers", viewers=count)
        assert (await api.get("/streams", "quinn")).body[0]["viewers"] == 0
    finally:
        for viewer in viewers:
            await viewer.watcher.close()
        await publisher.close()
