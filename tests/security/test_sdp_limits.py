"""Findings 6 and 7: a WHIP or WHEP offer is held to a size, a few media sections and
well-formed lines before aiortc reads it: a huge offer cannot hold the event loop, and a
malformed one is a 4xx problem, not a 500."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from server.app import create_app
from server.config import Settings
from server.streams.context import LIVE_STREAMS
from server.streams.live import LiveStreams
from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.streams.peers import new_peer, offer
from tests.streams.sessions import post_sdp, publish

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

PROBLEM = "application/problem+json"


@pytest.fixture
async def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def api(app: web.Application, aiohttp_client: Any) -> AsyncIterator[ApiClient]:
    yield ApiClient(await aiohttp_client(app))


@pytest.fixture
async def batch(api: ApiClient) -> dict[str, Any]:
    await approved_procedure(api, "test_line.yaml")
    return await started_batch(api)


async def _offer(direction: str) -> str:
    pc = new_peer()
    pc.addTransceiver("video", direction=direction)
    try:
        return await offer(pc)
    finally:
        await pc.close()


def _sections(sdp: str, count: int) -> str:
    """The offer with its one media section repeated `count` times."""
    start = sdp.index("m=")
    return sdp[:start] + sdp[start:] * count


def _audio_sections(sdp: str, count: int) -> str:
    """The offer followed by `count` small Opus sections."""
    section = (
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a{}\r\na=sendonly\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
    )
    return sdp + "".join(section.format(number) for number in range(count))


MALFORMED = {
    "payload type 9999": lambda sdp: re.sub(
        r"a=rtpmap:(\d+) VP8",
        "a=rtpmap:9999 VP8",
        re.sub(r"(m=video \S+ \S+) \d+", r"\1 9999", sdp),
    ),
    "negative port": lambda sdp: re.sub(r"m=video \d+ ", "m=video -1 ", sdp),
    "garbage candidate": lambda sdp: sdp.replace(
        "a=end-of-candidates", "a=candidate:garbage\r\na=end-of-candidates"
    ),
    "fmtp of no codec": lambda sdp: sdp.replace(
        "a=rtpmap:97 VP8/90000", "a=rtpmap:97 VP8/90000\r\na=fmtp:33 x=1"
    ),
}


async def test_an_offer_of_thousands_of_sections_is_refused_at_once_and_the_server_goes_on(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    huge = _audio_sections(await _offer("sendonly"), 3000)  # under 1 MB, as in the finding
    talkback = f"/streams/{batch['id']}.talkback/whip"
    await api.token("quinn")  # signed in before the clock starts: Argon2 is not the subject
    loop = asyncio.get_running_loop()
    started = loop.time()

    posted = asyncio.create_task(post_sdp(api, talkback, "quinn", huge))
    await asyncio.sleep(0.05)
    listed = await api.get("/streams", "quinn")
    listed_after = loop.time() - started
    response = await posted

    assert len(huge) < 1024 * 1024
    assert response.status == 413, await response.text()
    assert response.content_type == PROBLEM
    assert listed.status == 200 and listed.body == []
    # Before the fix the offer held the event loop for 10.9 s; the bound leaves room for a
    # loaded CI machine (2.1 s seen at the end of the full suite on PostgreSQL).
    assert listed_after < 5.0
    assert loop.time() - started < 6.0


@pytest.mark.parametrize("kind", ["whip", "whep"])
async def test_an_offer_of_more_than_a_few_sections_is_refused(
    api: ApiClient, batch: dict[str, Any], kind: str
) -> None:
    publisher = await publish(api, batch["id"]) if kind == "whep" else None
    try:
        sections = _sections(await _offer("sendonly" if kind == "whip" else "recvonly"), 5)
        response = await post_sdp(
            api,
            f"/streams/{batch['id']}.cam2/{kind}"
            if kind == "whip"
            else f"/streams/{batch['id']}/whep",
            "olivia",
            sections,
        )
        body = await response.json()

        assert response.status == 422, body
        assert "more than 4 media sections" in body["detail"]
    finally:
        if publisher is not None:
            await publisher.close()


@pytest.mark.parametrize("mutation", list(MALFORMED))
async def test_a_malformed_whip_offer_is_a_4xx_problem_and_nothing_goes_live(
    api: ApiClient, app: web.Application, batch: dict[str, Any], mutation: str
) -> None:
    sdp = MALFORMED[mutation](await _offer("sendonly"))

    response = await post_sdp(api, f"/streams/{batch['id']}/whip", "olivia", sdp)

    assert response.status == 422, await response.text()
    assert response.content_type == PROBLEM
    assert (await response.json())["errors"][0]["code"] == "sdp_offer"
    live: LiveStreams = app[LIVE_STREAMS]
    assert list(live) == []


@pytest.mark.parametrize("mutation", list(MALFORMED))
async def test_a_malformed_whep_offer_is_a_4xx_problem_and_nobody_watches(
    api: ApiClient, app: web.Application, batch: dict[str, Any], mutation: str
) -> None:
    publisher = await publish(api, batch["id"])
    try:
        sdp = MALFORMED[mutation](await _offer("recvonly"))

        response = await post_sdp(api, f"/streams/{batch['id']}/whep", "quinn", sdp)

        assert response.status == 422, await response.text()
        assert response.content_type == PROBLEM
        live: LiveStreams = app[LIVE_STREAMS]
        assert all(stream.viewers == {} for stream in live)
    finally:
        await publisher.close()
