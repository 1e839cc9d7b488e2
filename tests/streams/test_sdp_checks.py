"""media.streams.sdp_checks: real offers pass; what is beyond the limits is refused cheaply."""

from __future__ import annotations

import time

import pytest

from media.streams.exceptions import OfferRejected
from media.streams.offers import parse_offer
from media.streams.sdp_checks import MAX_LINES, check_offer
from tests.streams.peers import new_peer, offer


async def _camera_offer() -> str:
    pc = new_peer()
    pc.addTransceiver("video", direction="sendonly")
    pc.addTransceiver("audio", direction="sendonly")
    try:
        return await offer(pc)
    finally:
        await pc.close()


async def test_a_camera_s_audio_and_video_offer_passes() -> None:
    check_offer(await _camera_offer())


async def test_the_largest_offer_within_the_limits_is_checked_and_parsed_in_milliseconds() -> None:
    sdp = await _camera_offer()
    filler = "a=rtcp-fb:96 nack\r\n" * (MAX_LINES - len(sdp.splitlines()) - 1)
    started = time.perf_counter()

    parse_offer(sdp + filler)

    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize(
    "line",
    [
        "a=candidate:1 1 udp 1 1.2.3.4 5 typ host" + " raddr x" * 2000 + " odd",
        "a=candidate:1 1 udp 1 1.2.3.4 70000 typ host",
        "a=rtcp:-9",
        "c=IN IP4",
    ],
)
async def test_a_malformed_line_is_refused_at_once(line: str) -> None:
    sdp = await _camera_offer()
    started = time.perf_counter()

    with pytest.raises(OfferRejected, match="malformed line"):
        check_offer(sdp.replace("a=rtcp-mux", line + "\r\na=rtcp-mux", 1))

    assert time.perf_counter() - started < 0.05
