"""Photos: stored once by content address, fetched back, attached to the active step, audited."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator

import numpy as np
from PIL import Image

from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient


def _png(colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return buffer.getvalue()


async def _upload(api: ApiClient, data: bytes, content_type: str = "image/png"):  # type: ignore[no-untyped-def]
    return await api.call(
        "POST", "/media", "olivia", data=data, headers={"Content-Type": content_type}
    )


async def test_a_photo_is_stored_once_under_its_sha256_and_served_back(api: ApiClient) -> None:
    photo = _png()
    first = await _upload(api, photo)
    again = await _upload(api, photo)

    assert first.status == 201, first.body
    assert first.body["id"] == hashlib.sha256(photo).hexdigest()
    assert first.body == again.body
    token = await api.token("quinn")
    async with api.client.get(
        first.body["url"], headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == photo
    audit = await api.get("/audit/verify", "quinn")
    assert audit.body["ok"] is True


async def test_a_photo_arriving_slowly_in_pieces_is_stored_whole(api: ApiClient) -> None:
    # Noise does not compress: a photo of a few hundred KiB, sent in 16 KiB pieces over a
    # slow link, as a phone on cleanroom Wi-Fi sends it.
    noise = np.random.default_rng(3).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG")
    photo = buffer.getvalue()

    async def slowly() -> AsyncIterator[bytes]:
        for start in range(0, len(photo), 16 * 1024):
            await asyncio.sleep(0.01)
            yield photo[start : start + 16 * 1024]

    stored = await _upload(api, slowly())  # type: ignore[arg-type]

    assert len(photo) > 200 * 1024
    assert stored.status == 201, stored.body
    assert stored.body["id"] == hashlib.sha256(photo).hexdigest()
    assert stored.body["size"] == len(photo)


async def test_a_photo_attaches_to_the_active_step_and_is_audited(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    stored = await _upload(api, _png())

    attached = await api.post(
        f"/batches/{batch['id']}/attachments",
        "olivia",
        {"media_id": stored.body["id"], "caption": "Label of drum 3"},
    )
    listed = await api.get(f"/batches/{batch['id']}/attachments", "quinn")
    trail = await api.get(f"/batches/{batch['id']}/audit", "quinn")

    assert attached.status == 201, attached.body
    active = next(step["step_id"] for step in batch["steps"] if step["state"] == "active")
    assert attached.body["step_id"] == active
    assert attached.body["kind"] == "photo"
    assert attached.body["created_by"].startswith("olivia")
    assert [item["id"] for item in listed.body] == [attached.body["id"]]
    assert listed.body[0]["media"]["id"] == stored.body["id"]
    actions = [entry["action"] for entry in trail.body]
    assert "attachment.added" in actions


async def test_bad_uploads_are_refused_and_store_nothing(api: ApiClient) -> None:
    png = _png()
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    cases = [
        (b"", "image/png", 422),
        (b"not an image at all", "image/png", 422),
        (png[:40], "image/png", 422),
        (jpeg.getvalue(), "image/png", 422),
        (png, "text/plain", 415),
        (b"x" * (20 * 1024 * 1024 + 1), "image/png", 413),
    ]
    before = await api.get("/audit/verify", "quinn")
    for data, content_type, status in cases:
        answer = await _upload(api, data, content_type)
        assert answer.status == status, (content_type, len(data), answer.body)
        assert answer.body["detail"]
    after = await api.get("/audit/verify", "quinn")
    assert after.body["entries"] == before.body["entries"]


async def test_unknown_media_and_batches_are_404(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    missing = "0" * 64

    fetched = await api.get(f"/media/{missing}", "olivia")
    malformed = await api.get("/media/not-a-hash", "olivia")
    attached = await api.post(
        f"/batches/{batch['id']}/attachments", "olivia", {"media_id": missing}
    )
    stored = await _upload(api, _png())
    no_batch = await api.post(
        "/batches/no-such-batch/attachments", "olivia", {"media_id": stored.body["id"]}
    )
    listed = await api.get(f"/batches/{batch['id']}/attachments", "olivia")

    assert (fetched.status, malformed.status, attached.status) == (404, 404, 404)
    assert no_batch.status == 404
    assert listed.body == []
