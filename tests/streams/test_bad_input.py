"""Refused WHIP/WHEP requests answer 4xx problem JSON, and leave nothing live."""

from __future__ import annotations

from typing import Any

import pytest

from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.streams.peers import new_peer, offer
from tests.streams.sessions import post_sdp, publish

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

PROBLEM = "application/problem+json"


async def _video_offer(direction: str) -> str:
    pc = new_peer()
    pc.addTransceiver("video", direction=direction)
    try:
        return await offer(pc)
    finally:
        await pc.close()


async def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status == status, await response.text()
    assert response.content_type == PROBLEM
    body = await response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "sdp",
    ["not sdp at all", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "\x00\x01"],
)
async def test_an_invalid_offer_is_refused(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any], sdp: str
) -> None:
    response = await post_sdp(api, f"/streams/{batch['id']}/whip", "olivia", sdp)
    body = await _problem(response, 422)
    assert "offer" in body["detail"]
    assert list(live) == []


async def test_an_offer_that_only_receives_cannot_publish(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    sdp = await _video_offer("recvonly")
    response = await post_sdp(api, f"/streams/{batch['id']}/whip", "olivia", sdp)
    assert "does not send video" in (await _problem(response, 422))["detail"]
    assert list(live) == []


async def test_whip_needs_the_sdp_media_type(api: ApiClient, batch: dict[str, Any]) -> None:
    answer = await api.post(f"/streams/{batch['id']}/whip", "olivia", {"sdp": "v=0"})
    assert answer.status == 415
    assert "application/sdp" in answer.body["detail"]


async def test_whip_needs_a_token(api: ApiClient, batch: dict[str, Any]) -> None:
    response = await post_sdp(api, f"/streams/{batch['id']}/whip", None, "v=0")
    await _problem(response, 401)


async def test_whip_needs_a_shop_floor_role(api: ApiClient, batch: dict[str, Any]) -> None:
    sdp = await _video_offer("sendonly")
    response = await post_sdp(api, f"/streams/{batch['id']}/whip", "quinn", sdp)
    await _problem(response, 403)


async def test_a_stream_of_an_unknown_batch_is_refused(api: ApiClient) -> None:
    sdp = await _video_offer("sendonly")
    response = await post_sdp(api, "/streams/no-such-batch/whip", "olivia", sdp)
    assert "batch" in (await _problem(response, 404))["detail"]


async def test_a_malformed_stream_id_is_refused(api: ApiClient, batch: dict[str, Any]) -> None:
    sdp = await _video_offer("sendonly")
    response = await post_sdp(api, f"/streams/{batch['id']}.Bad Name!/whip", "olivia", sdp)
    await _problem(response, 422)


async def test_watching_a_stream_that_is_not_live_is_404(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    sdp = await _video_offer("recvonly")
    response = await post_sdp(api, f"/streams/{batch['id']}/whep", "quinn", sdp)
    await _problem(response, 404)


async def test_watching_needs_an_offer_that_receives_video(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish(api, batch["id"])
    try:
        sdp = await _video_offer("sendonly")
        response = await post_sdp(api, f"/streams/{batch['id']}/whep", "quinn", sdp)
        assert "does not receive video" in (await _problem(response, 422))["detail"]
        assert live.get(StreamId.parse(batch["id"])).viewers == {}
        assert live.get(StreamId.parse(batch["id"])).relay.viewer_count == 0
    finally:
        await publisher.close()


@pytest.mark.parametrize("kind", ["whip", "whep"])
async def test_trickle_ice_is_not_supported(
    api: ApiClient, batch: dict[str, Any], kind: str
) -> None:
    token = await api.token("olivia")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/trickle-ice-sdpfrag",
    }
    async with api.client.patch(
        f"/api/v1/streams/{batch['id']}/{kind}/abc", data="a=candidate", headers=headers
    ) as response:
        body = await _problem(response, 405)
        assert "trickle ICE" in body["detail"]
        assert "gather all candidates" in body["detail"]
        assert response.headers["Allow"] == "DELETE"


async def test_deleting_an_unknown_session_is_404(api: ApiClient, batch: dict[str, Any]) -> None:
    token = await api.token("olivia")
    for kind in ("whip", "whep"):
        async with api.client.delete(
            f"/api/v1/streams/{batch['id']}/{kind}/nope",
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            await _problem(response, 404)
