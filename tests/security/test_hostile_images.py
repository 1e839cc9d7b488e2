"""Findings 1 and 7: hostile images cannot stall the server or take its memory.

An image is held against the pixel budget from its header before anything decodes it, and
decoding happens before any transaction opens, on a bounded pool of image workers: a step
completion answers at once while a stalled upload and four bomb-like scans are in flight.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.concurrency import WorkerPool
from server.config import Settings
from server.errors import ServerBusy
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import Answer, ApiClient
from tests.conftest import SQLITE_ONLY
from tests.security.images import blank_png, jpeg_declaring, png_declaring

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, body_read_seconds=5)


@pytest.fixture
async def raw_client(aiohttp_client, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(settings))


async def _upload(api: ApiClient, data: bytes, content_type: str) -> Answer:
    return await api.call(
        "POST", "/media", "olivia", data=data, headers={"Content-Type": content_type}
    )


async def _scan(api: ApiClient, data: bytes) -> Answer:
    return await api.call("POST", "/scans", "olivia", data={"image": io.BytesIO(data)})


async def _stall_an_upload(client: TestClient, token: str) -> asyncio.StreamWriter:
    """A photo upload that announces 100 kB, sends 4 bytes and stalls."""
    _, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"POST /api/v1/media HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
        b"Content-Length: 100000\r\nAuthorization: Bearer " + token.encode() + b"\r\n\r\n\x89PNG"
    )
    await writer.drain()
    return writer


@pytest.mark.parametrize(
    "data, content_type",
    [(png_declaring(50_000, 50_000), "image/png"), (jpeg_declaring(50_000, 50_000), "image/jpeg")],
    ids=["png", "jpeg"],
)
async def test_a_photo_declaring_too_many_pixels_is_refused_from_its_header(
    api: ApiClient, data: bytes, content_type: str
) -> None:
    before = await api.get("/audit/verify", "quinn")

    stored = await _upload(api, data, content_type)
    scanned = await _scan(api, data)

    assert stored.status == 422, stored.body
    assert stored.body["errors"][0]["code"] == "too_many_pixels"
    assert "40 megapixels" in stored.body["detail"]
    assert scanned.status == 422, scanned.body
    assert "megapixels" in scanned.body["detail"]
    after = await api.get("/audit/verify", "quinn")
    assert after.body["entries"] == before.body["entries"]


async def test_hostile_images_in_flight_leave_a_step_completion_answering_at_once(
    raw_client: TestClient,
) -> None:
    api = ApiClient(raw_client)
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    stalled = await _stall_an_upload(raw_client, await api.token("olivia"))
    bomb = blank_png(30_000, 30_000)  # 900 megapixels, about 110 kB
    in_flight = [asyncio.create_task(_scan(api, bomb)) for _ in range(4)]
    in_flight.append(asyncio.create_task(_upload(api, bomb, "image/png")))
    await asyncio.sleep(0.05)  # the hostile requests are on their way

    loop = asyncio.get_running_loop()
    started = loop.time()
    completed = await complete(api, batch["id"], "clearance", values={"area_clean": True})
    took = loop.time() - started
    refused = await asyncio.wait_for(asyncio.gather(*in_flight), timeout=10)
    stalled.close()

    assert completed.status == 200, completed.body
    assert took < 1.0, f"a step completion waited {took:.1f} s on hostile images"
    assert [answer.status for answer in refused] == [422] * 5
    attachments = await api.get(f"/batches/{batch['id']}/attachments", "olivia")
    assert attachments.body == []


async def test_images_decode_on_at_most_the_pool_s_workers_and_a_full_line_is_told_to_wait() -> (
    None
):
    # Each decode may take 4 bytes a pixel of the budget: the pool bounds them, not the clients.
    pool = WorkerPool(workers=2, waiting=3, name="test-image")
    running, most = 0, 0
    lock, release = threading.Lock(), threading.Event()

    def decode() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(5)
        time.sleep(0.01)
        with lock:
            running -= 1

    jobs = [asyncio.create_task(pool.run(decode)) for _ in range(5)]
    await asyncio.sleep(0.1)
    with pytest.raises(ServerBusy):
        await pool.run(decode)
    release.set()
    await asyncio.gather(*jobs)
    await pool.close()

    assert most == 2
