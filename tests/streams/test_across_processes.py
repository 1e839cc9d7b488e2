"""A stream lives in the process its publisher reached; the others redirect its viewers there
(307), carry its events to their own subscribers, and report it ended once that process dies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from headset_client.api import StepwiseApi
from headset_client.outbox import Request
from tests.streams.peers import Watcher, accept, offer
from tests.streams.processes import SDP, Cluster, origin, publishing, two_processes

pytestmark = [
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    pytest.mark.timeout(300),  # two server processes start
]


async def _viewer_on_b(cluster: Cluster) -> Watcher:
    """An aiortc viewer that asks process B, through the headset client's API (which follows
    the redirect with its token)."""
    watcher = Watcher()
    async with aiohttp.ClientSession() as session:
        api = StepwiseApi(session, cluster.b.url)
        api.token = cluster.on_b.tokens["quinn"]
        path = f"/streams/{cluster.batch_id}/whep"
        answer = await api.send(Request("POST", path, (await offer(watcher.pc)).encode(), SDP))
    assert answer.status == 201
    await accept(watcher.pc, answer.raw.decode())
    return watcher


async def test_viewer_of_the_other_process_is_redirected_and_watches(
    database_url: str, tmp_path: Path
) -> None:
    async with two_processes(database_url, tmp_path) as cluster:
        stream_id = cluster.batch_id
        async with cluster.on_b.session.ws_connect(
            f"{cluster.b.url}/ws?token={cluster.on_b.tokens['quinn']}"
        ) as ws:
            await ws.receive_json()
            await ws.send_json({"subscribe": f"batch:{stream_id}"})
            await ws.receive_json()
            async with publishing(cluster, cluster.a):
                # The start of a stream on A reaches B's subscribers.
                async with asyncio.timeout(10):
                    while (event := await ws.receive_json())["type"] != "stream":
                        pass
                assert event["stream_id"] == stream_id and event["state"] == "live"

                status, headers, _ = await cluster.post_sdp(
                    cluster.b, f"/streams/{stream_id}/whep", "quinn", "v=0\r\n", follow=False
                )
                assert status == 307
                assert headers["Location"] == f"{origin(cluster.a)}/api/v1/streams/{stream_id}/whep"

                status, listed = await cluster.on_b.call("GET", "/streams", "quinn")
                assert status == 200
                assert [(s["stream_id"], s["publisher"]) for s in listed] == [(stream_id, "olivia")]

                watcher = await _viewer_on_b(cluster)
                try:
                    await watcher.wait_for_frames(10)
                finally:
                    await watcher.close()


async def test_stream_of_a_killed_process_is_reported_ended_not_redirected(
    database_url: str, tmp_path: Path
) -> None:
    async with two_processes(database_url, tmp_path) as cluster:
        stream_id = cluster.batch_id
        path = f"/streams/{stream_id}/whep"
        async with publishing(cluster, cluster.a):
            status, recording = await cluster.on_a.call(
                "POST", f"/streams/{stream_id}/recordings", "olivia"
            )
            assert status == 201, recording
            status, _, _ = await cluster.post_sdp(cluster.b, path, "quinn", "v=0\r\n", follow=False)
            assert status == 307
            await cluster.a.kill()
            # B redirects until A's heartbeat is stale, then says the stream has ended.
            async with asyncio.timeout(15):
                while status == 307:
                    await asyncio.sleep(0.2)
                    status, _, body = await cluster.post_sdp(
                        cluster.b, path, "quinn", "v=0\r\n", follow=False
                    )
        assert status == 404, body
        assert '"urn:stepwise:problem:stream-process-gone"' in body
        assert "stopped answering" in body

        status, _, body = await cluster.post_sdp(cluster.b, path, "quinn", "v=0\r\n", follow=False)
        assert status == 404 and "stream-not-live" in body
        status, listed = await cluster.on_b.call("GET", "/streams", "quinn")
        assert (status, listed) == (200, [])
        status, trail = await cluster.on_b.call("GET", f"/batches/{stream_id}/audit", "quinn")
        ended = [entry for entry in trail if entry["action"] == "stream.ended"]
        assert [(entry["actor"], entry["reason"]) for entry in ended] == [
            ("system", "its server process stopped answering")
        ]
        # The recording that process was making ended with it, as failed, by the system.
        stopped = [entry for entry in trail if entry["action"] == "recording.stopped"]
        assert [(e["actor"], e["reason"], e["new"]["status"]) for e in stopped] == [
            ("system", "its server process stopped answering", "failed")
        ]
        stop = f"/streams/{stream_id}/recordings/{recording['id']}/stop"
        status, refused = await cluster.on_b.call("POST", stop, "quinn")
        assert status == 409, refused
