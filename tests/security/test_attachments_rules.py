"""Finding 11: every write beside a batch's steps follows the batch's write rules, as
annotations and chat did: a completed batch takes no new photo or live stream (409), and a
photo names a step the batch has (422). Nothing is recorded by a refusal."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient
from tests.streams.peers import new_peer, offer
from tests.streams.sessions import post_sdp

STEPS = [
    ("clearance", {"values": {"area_clean": True}}),
    ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
    ("verify_weigh", {"signature": signature("sam", "verified")}),
    ("output", {"values": {"output_kg": 10.0}}),
    ("yield_calc", {}),
    ("rest", {}),
    ("sign_off", {"signature": signature("olivia", "performed")}),
]


@pytest.fixture
async def batch(api: ApiClient) -> dict[str, Any]:
    await approved_procedure(api, "test_line.yaml")
    return await started_batch(api)


async def _photo(api: ApiClient) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 90, 160)).save(buffer, format="PNG")
    stored = await api.call(
        "POST", "/media", "olivia", data=buffer.getvalue(), headers={"Content-Type": "image/png"}
    )
    assert stored.status == 201, stored.body
    return stored.body["id"]


async def _trail_length(api: ApiClient, batch_id: str) -> int:
    return len(await api.get_all(f"/batches/{batch_id}/audit", "quinn"))


async def test_a_photo_cannot_be_attached_to_a_completed_batch(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    for step_id, body in STEPS:
        assert (await complete(api, batch["id"], step_id, **body)).status == 200, step_id
    photo = await _photo(api)
    before = await _trail_length(api, batch["id"])

    refused = await api.post(f"/batches/{batch['id']}/attachments", "olivia", {"media_id": photo})

    assert refused.status == 409, refused.body
    assert refused.body["current"] == {"status": "completed"}
    assert (await api.get(f"/batches/{batch['id']}/attachments", "olivia")).body == []
    assert await _trail_length(api, batch["id"]) == before


async def test_a_photo_cannot_be_attached_to_a_step_the_batch_does_not_have(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    photo = await _photo(api)
    before = await _trail_length(api, batch["id"])

    refused = await api.post(
        f"/batches/{batch['id']}/attachments",
        "olivia",
        {"media_id": photo, "step_id": "no-such-step"},
    )

    assert refused.status == 422, refused.body
    assert refused.body["errors"][0]["field"] == "step_id"
    assert (await api.get(f"/batches/{batch['id']}/attachments", "olivia")).body == []
    assert await _trail_length(api, batch["id"]) == before


async def test_a_completed_batch_takes_no_new_live_stream(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    for step_id, body in STEPS:
        assert (await complete(api, batch["id"], step_id, **body)).status == 200, step_id
    pc = new_peer()
    pc.addTransceiver("video", direction="sendonly")
    try:
        response = await post_sdp(api, f"/streams/{batch['id']}/whip", "olivia", await offer(pc))
    finally:
        await pc.close()

    assert response.status == 409, await response.text()
    assert (await api.get("/streams", "olivia")).body == []
