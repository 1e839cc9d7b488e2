"""Camera sources, scanning from the camera, live scan suggestions, and publishing by WHIP."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import cv2
import numpy as np
import pytest

from headset_client.camera import open_camera
from headset_client.camera.synthetic import SyntheticCamera
from headset_client.exceptions import CameraUnavailable
from headset_client.headset import Headset, HeadsetOptions
from headset_client.session import SessionOptions
from media.codes import decode_frame
from tests.client import PASSWORDS, ApiClient
from tests.conftest import SQLITE_ONLY
from tests.headset.support import fetch, granulation_batch, headset, say
from tests.streams.sessions import watch

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

GRANULATOR = "stepwise:equipment:EQ-GRAN-01"


def test_the_synthetic_label_moves_and_its_code_reads_in_every_frame() -> None:
    camera = SyntheticCamera(GRANULATOR)
    frames = [camera.read() for _ in range(61)]
    assert frames[0].shape == (540, 960, 3)
    assert not np.array_equal(frames[0], frames[60])
    for frame in frames[::20]:
        assert GRANULATOR in [code.text for code in decode_frame(frame)]
    assert np.array_equal(SyntheticCamera(GRANULATOR).frame(60), frames[60])


def test_a_folder_and_a_video_file_play_in_a_loop(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(2):
        cv2.imwrite(str(folder / f"{index}.png"), np.full((48, 64, 3), 100 * index, np.uint8))
    (folder / "notes.txt").write_text("not an image")
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for index in range(3):
        writer.write(np.full((48, 64, 3), 80 * index, np.uint8))
    writer.release()

    images = open_camera(f"folder:{folder}")
    each = round(images.fps * 2)  # each image stays two seconds
    shown = [int(images.read()[0, 0, 0]) for _ in range(3 * each)]
    played = open_camera(f"video:{video}")
    frames = [int(played.read()[0, 0, 0]) for _ in range(7)]
    images.close()
    played.close()

    assert shown == [0] * each + [100] * each + [0] * each
    assert [round(f / 80) for f in frames] == [0, 1, 2, 0, 1, 2, 0]


@pytest.mark.parametrize(
    "spec", ["phone", "folder:/nonexistent-dir-for-test", "video:", "webcam:x"]
)
def test_an_unusable_camera_is_refused_clearly(spec: str) -> None:
    with pytest.raises((CameraUnavailable, OSError)):
        open_camera(spec)


async def test_scan_reads_the_code_from_the_camera_and_the_server_accepts_it(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    batch_id = await granulation_batch(api, "G-SCAN")
    async with headset(base, tmp_path / "outbox.db") as operator:
        await say(operator, "batch G-SCAN", "check all", "sign")
        scanned = await say(operator, "scan")
        done = await say(operator, "confirm")
    record = await fetch(base, f"/batches/{batch_id}")
    step = record["steps"][1]
    assert scanned == [f"scanned {GRANULATOR} for granulator_id"]
    assert "Scan the granulator: recorded" in done
    assert step["values"] == {"granulator_id": "EQ-GRAN-01"}  # the server keeps the code
    assert step["sources"] == {"granulator_id": "scan"}


async def test_a_live_scan_is_suggested_and_confirm_records_it(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    batch_id = await granulation_batch(api, "G-LIVE")
    async with headset(base, tmp_path / "outbox.db", camera=False) as operator:
        session = operator.session
        await say(operator, "batch G-LIVE", "check all", "sign")
        seen = {"type": "scan", "batch_id": batch_id, "at": "2026-11-25T06:30:00Z"}
        await session.handle_event(
            {**seen, "step_id": "scan_granulator", "input": "granulator_id", "text": GRANULATOR}
        )
        await session.handle_event({**seen, "type": "scan_rejected", "reason": "code too blurred"})
        await session.handle_event(
            {**seen, "step_id": "line_clearance", "input": "granulator_id", "text": "old"}
        )
        shown = await say(operator, "repeat")
        await say(operator, "confirm")
        notices = [session.notices.get_nowait() for _ in range(session.notices.qsize())]
    record = await fetch(base, f"/batches/{batch_id}")
    assert f"scanned {GRANULATOR} for granulator_id: say 'confirm' to use it" in notices
    assert "scan rejected: code too blurred" in notices
    assert any(line.endswith(f"= {GRANULATOR}") for line in shown)
    assert record["steps"][1]["values"] == {"granulator_id": "EQ-GRAN-01"}


async def test_the_camera_is_published_to_the_batch_stream_by_whip(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    batch_id = await granulation_batch(api, "G-WHIP")
    options = SessionOptions(base, "olivia", PASSWORDS["olivia"], tmp_path / "outbox.db")
    device = HeadsetOptions(camera="synthetic", publish=True, overlay_dir=tmp_path / "overlay")
    async with aiohttp.ClientSession() as http, Headset(options, device, http) as device_on:
        await device_on.session.choose_batch("G-WHIP")
        await device_on.batch_chosen()
        viewer = await watch(api, batch_id)
        try:
            await viewer.watcher.wait_for_frames(3, seconds=20)
            frame = viewer.watcher.frames[-1]
        finally:
            await viewer.watcher.close()
        live = await api.get("/streams", "quinn")
    ended = await api.get("/streams", "quinn")
    assert (frame.width, frame.height) == (960, 540)
    assert [(s["stream_id"], s["publisher"]) for s in live.body] == [(batch_id, "olivia")]
    assert ended.body == []
