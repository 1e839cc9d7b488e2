"""H.264 streams: negotiated when the publisher asks for it, relayed without transcoding."""

from __future__ import annotations

import fractions
from typing import Any

import av
import numpy as np
import pytest

from media.streams.codecs import H264, VP8, is_h264_keyframe
from media.streams.offers import parse_offer, publisher_codecs
from media.streams.webrtc import RelayedVideoTrack
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.streams.media_peers import Receiver, prefer, publish_tracks, receive
from tests.streams.peers import HEIGHT, WIDTH, MovingBar, new_peer, offer

# The codec logic is the point here, not the database: one backend is enough.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _x264_access_units(count: int) -> list[tuple[bytes, bool]]:
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 64, 48, "yuv420p"
    encoder.time_base = fractions.Fraction(1, 30)
    encoder.options = {"tune": "zerolatency", "keyint": "100"}
    units = []
    for index in range(count):
        image = np.full((48, 64, 3), index * 10 % 255, dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        frame.pts = index
        units += [(bytes(p), p.is_keyframe) for p in encoder.encode(frame)]
    return units


def test_h264_keyframes_are_told_by_their_nal_units() -> None:
    units = _x264_access_units(5)
    assert [is_h264_keyframe(data) for data, _ in units] == [key for _, key in units]
    assert units[0][1] and not units[1][1]
    assert not is_h264_keyframe(b"") and not is_h264_keyframe(b"\x00\x00\x00\x01\x41\x9a")


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [((), VP8), ((H264,), H264), ((H264, VP8), H264), ((VP8, H264), VP8)],
)
async def test_the_publisher_gets_the_first_codec_it_offers(
    offered: tuple[str, ...], chosen: str
) -> None:
    pc = new_peer()
    transceiver = pc.addTransceiver(MovingBar(), direction="sendonly")
    if offered:
        prefer(transceiver, *offered)
    try:
        assert publisher_codecs(parse_offer(await offer(pc)))["video"].mimeType == chosen
    finally:
        await pc.close()


@sqlite_only
async def test_an_h264_publisher_reaches_viewers_in_h264_without_transcoding(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish_tracks(api, batch["id"], MovingBar(), video_codecs=(H264,))
    assert "H264/90000" in publisher.answer and "VP8" not in publisher.answer
    # One viewer prefers VP8 (aiortc's default order), the other offers only H.264.
    viewers = [Receiver(), Receiver()]
    viewers[0].want("video")
    viewers[1].want("video", H264)
    try:
        for viewer in viewers:
            response = await receive(api, batch["id"], viewer)
            assert response.status == 201, await response.text()
            assert "H264/90000" in await response.text()
        for viewer in viewers:
            await viewer.wait_for("video", 10)
            frame = viewer.frames["video"][-1]
            assert (frame.width, frame.height) == (WIDTH, HEIGHT)
        stream = live.get(StreamId.parse(batch["id"]))
        assert stream.relay.codec == H264
        assert stream.peer.decoder_tapped
        for session in stream.viewers.values():
            assert session.transceiver is not None
            assert isinstance(session.transceiver.sender.track, RelayedVideoTrack)
            encoder = session.transceiver.sender._RTCRtpSender__encoder
            assert encoder is not None and encoder.codec is None  # packs, never encodes
        assert stream.relay.keyframes.sent >= 1
    finally:
        for viewer in viewers:
            await viewer.close()
        await publisher.pc.close()


@sqlite_only
async def test_a_viewer_without_h264_is_refused_an_h264_stream(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish_tracks(api, batch["id"], MovingBar(), video_codecs=(H264,))
    viewer = Receiver()
    viewer.want("video", VP8)
    try:
        response = await receive(api, batch["id"], viewer)
        assert response.status == 422
        assert "the stream is H.264" in (await response.json())["detail"]
        assert live.get(StreamId.parse(batch["id"])).relay.viewer_count == 0
    finally:
        await viewer.close()
        await publisher.pc.close()
