"""Starting and ending a stream: audit trail, batch events, DELETE, one publisher."""

from __future__ import annotations

from typing import Any

from aiortc.mediastreams import MediaStreamError

from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.streams.peers import new_peer, offer
from tests.streams.sessions import delete, post_sdp, publish, watch

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY


async def test_delete_ends_the_stream_its_viewers_and_is_audited(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    token = await api.token("quinn")
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        await ws.send_json({"subscribe": f"batch:{batch['id']}"})
        assert (await ws.receive_json())["type"] == "subscribed"
        publisher = await publish(api, batch["id"])
        viewer = await watch(api, batch["id"])
        try:
            await viewer.watcher.wait_for_frames(3)
            assert publisher.location.startswith(f"/api/v1/streams/{batch['id']}/whip/")
            assert await delete(api, publisher.location, "olivia") == 200
            assert (await api.get("/streams", "quinn")).body == []
            assert await delete(api, publisher.location, "olivia") == 404
            # the viewer's track ends: the server closed its peer
            track = viewer.watcher.pc.getReceivers()[0].track
            try:
                while True:
                    await track.recv()
            except MediaStreamError:
                pass
            states = []
            while len(states) < 2:
                event = await ws.receive_json(timeout=5)
                if event["type"] == "stream":
                    states.append((event["stream_id"], event["state"]))
            assert states == [(batch["id"], "live"), (batch["id"], "ended")]
        finally:
            await viewer.watcher.close()
            await publisher.close()
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    streamed = [e for e in trail if e["entity_type"] == "stream"]
    assert [e["action"] for e in streamed] == ["stream.started", "stream.ended"]
    assert all(e["entity_id"] == batch["id"] for e in streamed)


async def test_one_publisher_per_stream(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    second = new_peer()
    second.addTransceiver("video", direction="sendonly")
    try:
        response = await post_sdp(api, f"/streams/{batch['id']}/whip", "sam", await offer(second))
        assert response.status == 409
        body = await response.json()
        assert body["current"]["publisher"] == "olivia"
        assert [s.publisher_username for s in live] == ["olivia"]
    finally:
        await second.close()
        await publisher.close()


async def test_publisher_connection_closing_ends_the_stream(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    viewer = await watch(api, batch["id"])
    try:
        await viewer.watcher.wait_for_frames(3)
        # As when ICE fails: the connection closes without a DELETE.
        await live.get(StreamId.parse(batch["id"])).peer.pc.close()
        await live.settle()
        assert (await api.get("/streams", "quinn")).body == []
    finally:
        await viewer.watcher.close()
        await publisher.close()
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    ended = [e for e in trail if e["action"] == "stream.ended"]
    assert [e["reason"] for e in ended] == ["the publisher's connection closed"]
