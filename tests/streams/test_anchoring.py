"""Annotations drawn on a code follow it as the camera moves; others stay where drawn."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from server.streams.analysis import StreamAnalyses
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.events import next_event, subscribed
from tests.streams.scenes import (
    BALANCE,
    HEIGHT,
    WIDTH,
    code_scene,
    publish_scene,
    shifted,
    the_code,
    until,
)

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

SIZE = np.array([WIDTH, HEIGHT])
DX, DY = 60, -40  # how far the camera turn moves the scene, in pixels


@pytest.fixture
async def dispensing(api: ApiClient) -> dict[str, Any]:
    """A started batch of the dispense line: its active scan step keeps the analysis on."""
    await approved_procedure(api, "dispense_line.yaml")
    return await started_batch(api, "dispense-line")


def _arrow_at(point: np.ndarray, batch_id: str) -> dict[str, Any]:
    """An arrow whose head is at `point` (normalised), its tail up and to the left."""
    tail = np.clip(point - (0.12, 0.1), 0, 1)
    return {
        "stream_id": batch_id,
        "shape": "arrow",
        "points": [tail.round(4).tolist(), point.round(4).tolist()],
        "frame_timestamp": 3.2,
    }


def _moved_by(event: dict[str, Any], drawn: list[list[float]], shift: np.ndarray) -> bool:
    return bool(np.allclose(event["annotation"]["points"], np.add(drawn, shift), atol=0.015))


async def test_an_annotation_on_a_code_follows_it_when_the_camera_moves(
    api: ApiClient, analyses: StreamAnalyses, dispensing: dict[str, Any]
) -> None:
    batch_id = dispensing["id"]
    image = code_scene(BALANCE)
    centre = np.mean(the_code(image).corners, axis=0) / SIZE
    async with subscribed(api, batch_id) as ws:
        publisher = await publish_scene(api, batch_id, image)
        try:
            await next_event(ws, "scan")  # the analyser sees the code
            drawn = await api.post(
                f"/batches/{batch_id}/annotations", "quinn", _arrow_at(centre, batch_id)
            )
            assert drawn.status == 201, drawn.body
            assert drawn.body["anchor"] == "code"
            points = drawn.body["points"]

            publisher.track.image = shifted(image, DX, DY)
            shift = np.array([DX, DY]) / SIZE
            moved = await next_event(
                ws, "annotation", lambda e: e["action"] == "moved" and _moved_by(e, points, shift)
            )
            assert moved["batch_id"] == batch_id
            assert moved["annotation"]["id"] == drawn.body["id"]
            assert moved["annotation"]["stream_id"] == batch_id
            assert moved["annotation"]["anchor"] == "code"

            analysis = analyses.of(StreamId.parse(batch_id))
            assert drawn.body["id"] in analysis.anchors
            cleared = await api.post(
                f"/batches/{batch_id}/annotations/{drawn.body['id']}/clear", "quinn"
            )
            assert cleared.status == 200, cleared.body
            assert analysis.anchors == {}
        finally:
            await publisher.close()


async def test_an_annotation_away_from_any_code_stays_frame_anchored(
    api: ApiClient, analyses: StreamAnalyses, dispensing: dict[str, Any]
) -> None:
    batch_id = dispensing["id"]
    image = code_scene(BALANCE)
    centre = np.mean(the_code(image).corners, axis=0) / SIZE
    far = np.where(centre < 0.5, 0.97, 0.03)  # the frame corner opposite the code
    async with subscribed(api, batch_id) as ws:
        publisher = await publish_scene(api, batch_id, image)
        try:
            await next_event(ws, "scan")
            drawn = await api.post(
                f"/batches/{batch_id}/annotations",
                "quinn",
                {
                    "stream_id": batch_id,
                    "shape": "text",
                    "points": [far.tolist()],
                    "text": "here",
                    "frame_timestamp": 1.0,
                },
            )
            assert drawn.status == 201, drawn.body
            assert drawn.body["anchor"] == "frame"
            assert analyses.of(StreamId.parse(batch_id)).anchors == {}
        finally:
            await publisher.close()


async def test_anchoring_keeps_the_analysis_running_and_releasing_stops_it(
    api: ApiClient, live: LiveStreams, analyses: StreamAnalyses, batch: dict[str, Any]
) -> None:
    # The test line has no scan step: only the anchored annotation needs frames analysed.
    image = code_scene(BALANCE)
    centre = np.mean(the_code(image).corners, axis=0) / SIZE
    publisher = await publish_scene(api, batch["id"], image)
    try:
        stream = live.get(StreamId.parse(batch["id"]))
        analysis = analyses.of(stream.stream_id)
        await until(lambda: analysis.scanning.refreshes > 0)
        assert not analysis.decoder.running
        assert not analysis.anchor("a1", [centre.tolist()])  # nothing analysed yet

        async with asyncio.timeout(10):
            await analysis.look()
        assert analysis.anchor("a1", [centre.tolist()])
        assert analysis.decoder.sampling
        analysed = analysis.analysed
        await until(lambda: analysis.analysed > analysed)

        analysis.release("a1")
        analysis.release("a1")
        await until(lambda: not analysis.decoder.running)
        assert stream.relay.viewer_count == 0
    finally:
        await publisher.close()
