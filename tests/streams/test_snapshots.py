"""Snapshots: the current frame of a live stream becomes photo evidence of the active step."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from server.streams import snapshots
from server.streams.analysis import StreamAnalyses
from server.streams.exceptions import NoFrame
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.events import next_event, subscribed
from tests.streams.scenes import (
    BALANCE,
    HEIGHT,
    WIDTH,
    code_scene,
    publish_scene,
    until,
)

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY


def _snapshots(stream_id: str) -> str:
    return f"/streams/{stream_id}/snapshots"


async def test_a_snapshot_attaches_the_current_frame_to_the_active_step(
    api: ApiClient, live: LiveStreams, analyses: StreamAnalyses, batch: dict[str, Any]
) -> None:
    batch_id = batch["id"]
    async with subscribed(api, batch_id, "quinn") as ws:
        publisher = await publish_scene(api, batch_id, code_scene(BALANCE))
        try:
            taken = await api.post(
                _snapshots(batch_id), "olivia", {"caption": "Label before clearance"}
            )
            assert taken.status == 201, taken.body
            announced = await next_event(ws, "attachment")
            stream = live.get(StreamId.parse(batch_id))
            analysis = analyses.of(stream.stream_id)
            await until(lambda: not analysis.decoder.running)
            assert stream.relay.viewer_count == 0  # decoded for the snapshot only
        finally:
            await publisher.close()

    snapshot = taken.body
    assert (snapshot["kind"], snapshot["batch_id"], snapshot["stream_id"]) == (
        "snapshot",
        batch_id,
        batch_id,
    )
    assert snapshot["step_id"] == "clearance"  # the active step
    assert snapshot["caption"] == "Label before clearance"
    assert snapshot["created_by"].startswith("olivia")
    assert snapshot["media"]["content_type"] == "image/png"
    assert announced["attachment"]["id"] == snapshot["id"]

    async with api.client.get(
        snapshot["media"]["url"], headers={"Authorization": f"Bearer {await api.token('sam')}"}
    ) as response:
        assert response.status == 200
        data = await response.read()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (HEIGHT, WIDTH, 3)
    assert len(data) == snapshot["media"]["size"]

    listed = await api.get(f"/batches/{batch_id}/attachments", "sam")
    assert [item["id"] for item in listed.body] == [snapshot["id"]]
    audit = await api.get(f"/batches/{batch_id}/audit", "quinn")
    assert "attachment.added" in [entry["action"] for entry in audit.body]


async def test_an_operator_snapshots_only_the_stream_they_publish(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    publisher = await publish_scene(api, batch["id"], code_scene(BALANCE))
    try:
        other_operator = await api.post(_snapshots(batch["id"]), "omar", {})
        expert = await api.call("POST", _snapshots(batch["id"]), "quinn")  # no body at all
    finally:
        await publisher.close()
    assert other_operator.status == 403, other_operator.body
    assert "publisher" in other_operator.body["detail"]
    assert expert.status == 201, expert.body
    assert expert.body["caption"] is None
    listed = await api.get(f"/batches/{batch['id']}/attachments", "sam")
    assert [item["created_by"].split()[0] for item in listed.body] == ["quinn"]


BAD = [
    ("{batch}", {"caption": "x" * 501}, 422, "caption"),
    ("{batch}", {"caption": 5}, 422, "caption"),
    ("{batch}", {"note": "hi"}, 422, "note"),
    ("{batch}.cam2", {}, 404, None),
    ("not a stream!", {}, 422, "stream_id"),
]


async def test_a_refused_snapshot_says_why_and_stores_nothing(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    publisher = await publish_scene(api, batch["id"], code_scene(BALANCE))
    try:
        for stream_id, body, status, field in BAD:
            path = _snapshots(stream_id.format(batch=batch["id"]))
            refused = await api.post(path, "quinn", body)
            assert refused.status == status, (stream_id, body, refused.body)
            assert refused.headers["Content-Type"].startswith("application/problem+json")
            if field is not None:
                assert field in str(refused.body["errors"]), refused.body
    finally:
        await publisher.close()
    listed = await api.get(f"/batches/{batch['id']}/attachments", "sam")
    assert listed.body == []


async def test_a_frozen_camera_gives_no_frame_instead_of_a_stale_one(
    api: ApiClient, live: LiveStreams, analyses: StreamAnalyses, batch: dict[str, Any]
) -> None:
    publisher = await publish_scene(api, batch["id"], code_scene(BALANCE))
    try:
        stream = live.get(StreamId.parse(batch["id"]))
        analysis = analyses.of(stream.stream_id)
        await until(lambda: stream.relay.frames_in > 3)
        publisher.track.paused = True
        frames = stream.relay.frames_in
        with pytest.raises(NoFrame) as refused:
            await snapshots.capture(analysis, seconds=0.5)
        assert stream.relay.frames_in == frames
        assert "no picture within 0.5 s" in refused.value.detail
        assert not analysis.decoder.running
    finally:
        await publisher.close()
