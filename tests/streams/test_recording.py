"""Recording a live stream into the batch record: stored, attached to the step, audited."""

from __future__ import annotations

import io
from typing import Any

import av
import pytest

from media.streams.codecs import H264
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.streams.media_peers import Tone, publish_tracks
from tests.streams.peers import HEIGHT, WIDTH, MovingBar
from tests.streams.sessions import delete, watch

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
MIN_FRAMES = 30  # a second at 30 fps


async def _pass_frames(api: ApiClient, stream_id: str, count: int) -> None:
    """Let `count` frames pass through a stream being recorded.

    A viewer joining after the recorder starts from a later keyframe (the keyframe request
    its arrival makes is rate-limited), so the recorder has had every frame it sees.
    """
    viewer = await watch(api, stream_id)
    try:
        await viewer.watcher.wait_for_frames(count)
    finally:
        await viewer.watcher.close()


async def _stored_video(api: ApiClient, url: str) -> tuple[str, str, list[tuple[int, int]]]:
    """(content type, container format, size of every frame) of a stored recording."""
    token = await api.token("quinn")
    async with api.client.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 200
        content_type, data = response.content_type, await response.read()
    with av.open(io.BytesIO(data)) as container:
        sizes = [(f.width, f.height) for f in container.decode(container.streams.video[0])]
        return content_type, container.format.name, sizes


async def _start(api: ApiClient, stream_id: str, as_user: str = "quinn") -> dict[str, Any]:
    answer = await api.post(f"/streams/{stream_id}/recordings", as_user)
    assert answer.status == 201, answer.body
    return answer.body


async def test_a_recording_is_stored_attached_to_the_step_and_audited(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    stream_id = batch["id"]
    token = await api.token("sam")
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        await ws.send_json({"subscribe": f"batch:{stream_id}"})
        assert (await ws.receive_json())["type"] == "subscribed"
        publisher = await publish_tracks(api, stream_id, MovingBar())
        try:
            [listed] = (await api.get("/streams", "quinn")).body
            started = await _start(api, stream_id)
            assert started["status"] == "recording"
            assert started["step_id"] == listed["step"] == "clearance"
            await _pass_frames(api, stream_id, MIN_FRAMES + 10)
            stop = f"/streams/{stream_id}/recordings/{started['id']}/stop"
            stopped = await api.post(stop, "quinn")
            assert stopped.status == 200, stopped.body
            assert stopped.body["status"] == "stored"
            assert stopped.body["url"] == f"/api/v1/media/{stopped.body['media_id']}"
            again = await api.post(stop, "quinn")
            assert again.status == 409
            assert again.body["current"]["status"] == "stored"
            assert live.get(StreamId.parse(stream_id)).recorders == {}
            recorded = []
            while len(recorded) < 2:
                event = await ws.receive_json(timeout=5)
                if event["type"] == "recording":
                    recorded.append((event["action"], event["recording"]["status"]))
            assert recorded == [("started", "recording"), ("stopped", "stored")]
        finally:
            await publisher.pc.close()
    content_type, container, sizes = await _stored_video(api, stopped.body["url"])
    assert (content_type, container) == ("video/webm", "matroska,webm")
    assert len(sizes) > MIN_FRAMES and set(sizes) == {(WIDTH, HEIGHT)}
    attachments = (await api.get(f"/batches/{stream_id}/attachments", "quinn")).body
    assert [(a["kind"], a["step_id"], a["stream_id"], a["media"]["id"]) for a in attachments] == [
        ("recording", "clearance", stream_id, stopped.body["media_id"])
    ]
    trail = await api.get_all(f"/batches/{stream_id}/audit", "quinn")
    recording_entries = [e for e in trail if e["entity_type"] == "recording"]
    assert [e["action"] for e in recording_entries] == ["recording.started", "recording.stopped"]
    assert all(e["entity_id"] == started["id"] for e in recording_entries)
    assert "attachment.added" in [e["action"] for e in trail]


@sqlite_only
async def test_an_h264_stream_is_recorded_as_mp4(api: ApiClient, batch: dict[str, Any]) -> None:
    publisher = await publish_tracks(api, batch["id"], MovingBar(), video_codecs=(H264,))
    try:
        started = await _start(api, batch["id"], as_user="olivia")  # the publisher
        await _pass_frames(api, batch["id"], MIN_FRAMES + 10)
        stop = f"/streams/{batch['id']}/recordings/{started['id']}/stop"
        stopped = await api.post(stop, "olivia")
        assert stopped.status == 200, stopped.body
    finally:
        await publisher.pc.close()
    content_type, container, sizes = await _stored_video(api, stopped.body["url"])
    assert content_type == "video/mp4" and "mp4" in container
    assert len(sizes) > MIN_FRAMES and set(sizes) == {(WIDTH, HEIGHT)}


@sqlite_only
async def test_ending_the_stream_stores_its_recording(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    publisher = await publish_tracks(api, batch["id"], MovingBar())
    try:
        started = await _start(api, batch["id"])
        await _pass_frames(api, batch["id"], 10)
        assert await delete(api, publisher.location, "olivia") == 200
    finally:
        await publisher.pc.close()
    stop = await api.post(f"/streams/{batch['id']}/recordings/{started['id']}/stop", "quinn")
    assert stop.status == 409
    assert stop.body["current"]["status"] == "stored"
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    ending = [e for e in trail if e["action"] in ("recording.stopped", "stream.ended")]
    assert [(e["action"], e["reason"], e["actor"]) for e in ending] == [
        ("recording.stopped", "the stream ended", "olivia (Olivia Operator)"),
        ("stream.ended", "the publisher ended the stream", "olivia (Olivia Operator)"),
    ]
    attachments = (await api.get(f"/batches/{batch['id']}/attachments", "quinn")).body
    assert [a["kind"] for a in attachments] == ["recording"]


@sqlite_only
async def test_recording_is_refused_clearly_and_leaves_nothing_behind(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    camera = await publish_tracks(api, batch["id"], MovingBar())
    talkback = await publish_tracks(api, f"{batch['id']}.talkback", Tone(), as_user="quinn")
    try:
        # Another operator is neither the publisher nor an expert.
        refused = await api.post(f"/streams/{batch['id']}/recordings", "omar")
        assert refused.status == 403 and "publisher" in refused.body["detail"]
        audio_only = await api.post(f"/streams/{batch['id']}.talkback/recordings", "quinn")
        assert audio_only.status == 409 and "no VP8 or H.264 video" in audio_only.body["detail"]
        unknown = await api.post(f"/streams/{batch['id']}.nobody/recordings", "quinn")
        assert unknown.status == 404
        started = await _start(api, batch["id"])
        twice = await api.post(f"/streams/{batch['id']}/recordings", "sam")
        assert twice.status == 409 and twice.body["current"]["recording_id"] == started["id"]
        assert list(live.get(StreamId.parse(batch["id"])).recorders) == [started["id"]]
        missing = await api.post(f"/streams/{batch['id']}/recordings/nope/stop", "quinn")
        assert missing.status == 404
        trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
        assert [e["action"] for e in trail if e["entity_type"] == "recording"] == [
            "recording.started"
        ]
    finally:
        await talkback.pc.close()
        await camera.pc.close()
