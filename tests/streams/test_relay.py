"""A published stream reaches several viewers without being decoded or re-encoded."""

from __future__ import annotations

import asyncio
from typing import Any

from media.streams.webrtc import RelayedVideoTrack
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.streams.peers import HEIGHT, WIDTH
from tests.streams.sessions import delete, publish, watch

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY


def _assert_nothing_transcoded(live: LiveStreams, stream_id: str) -> None:
    stream = live.get(StreamId.parse(stream_id))
    assert stream.peer.decoder_tapped
    for viewer in stream.viewers.values():
        assert isinstance(viewer.transceiver.sender.track, RelayedVideoTrack)
        # aiortc's sender builds a VP8 packetizer; its libvpx encoder is only made on encode.
        encoder = viewer.transceiver.sender._RTCRtpSender__encoder
        assert encoder is None or encoder.codec is None


async def test_frames_reach_three_viewers_without_transcoding(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    viewers = [await watch(api, batch["id"], user) for user in ("quinn", "sam", "olivia")]
    try:
        for viewer in viewers:
            await viewer.watcher.wait_for_frames(10)
            frame = viewer.watcher.frames[-1]
            assert (frame.width, frame.height) == (WIDTH, HEIGHT)
        _assert_nothing_transcoded(live, batch["id"])
        relay = live.get(StreamId.parse(batch["id"])).relay
        assert relay.frames_in > 0
        listed = await api.get("/streams", "quinn")
        assert listed.status == 200
        [stream] = listed.body
        assert stream["stream_id"] == batch["id"]
        assert stream["batch_id"] == batch["id"]
        assert (stream["publisher"], stream["viewers"]) == ("olivia", 3)
        assert stream["started_at"]
    finally:
        for viewer in viewers:
            await viewer.watcher.close()
        await publisher.close()


async def test_a_late_viewer_gets_a_keyframe_promptly(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    # aiortc's VP8 encoder makes a keyframe only every 3000 frames: a viewer joining
    # later decodes only because its arrival makes the relay send a PLI to the publisher.
    publisher = await publish(api, batch["id"])
    first = await watch(api, batch["id"])
    try:
        await first.watcher.wait_for_frames(5)
        await asyncio.sleep(1.1)  # past the keyframe request rate limit
        late = await watch(api, batch["id"], "sam")
        try:
            await late.watcher.wait_for_frames(5, seconds=5)
            assert live.get(StreamId.parse(batch["id"])).relay.keyframes.sent >= 2
        finally:
            await late.watcher.close()
    finally:
        await first.watcher.close()
        await publisher.close()


async def test_a_viewer_leaving_does_not_stop_the_others(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    staying = await watch(api, batch["id"])
    leaving = await watch(api, batch["id"], "sam")
    try:
        await staying.watcher.wait_for_frames(5)
        await leaving.watcher.wait_for_frames(5)
        assert await delete(api, leaving.location, "sam") == 200
        await leaving.watcher.close()
        assert (await api.get("/streams", "quinn")).body[0]["viewers"] == 1
        await staying.watcher.wait_for_frames(15)
        assert await delete(api, leaving.location, "sam") == 404
    finally:
        await staying.watcher.close()
        await publisher.close()


async def test_a_second_name_streams_beside_the_main_stream(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    main = await publish(api, batch["id"])
    second = await publish(api, f"{batch['id']}.bench-camera", "sam")
    viewer = await watch(api, f"{batch['id']}.bench-camera")
    try:
        await viewer.watcher.wait_for_frames(5)
        listed = (await api.get("/streams", "quinn")).body
        assert sorted((s["stream_id"], s["name"]) for s in listed) == [
            (batch["id"], None),
            (f"{batch['id']}.bench-camera", "bench-camera"),
        ]
    finally:
        await viewer.watcher.close()
        await second.close()
        await main.close()
